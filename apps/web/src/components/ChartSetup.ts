import { BarElement, CategoryScale, Chart, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';

/*
 * Only the chart.js parts the dashboard draws (stacked bars, lines) are
 * registered, so the rest stays out of the bundle. The charts are drawn without
 * animation: the figures are final the moment they show, and nothing moves.
 */
Chart.register(BarElement, CategoryScale, Legend, LinearScale, LineElement, PointElement, Tooltip);
Chart.defaults.animation = false;

/** The badge colours of styles.css (a canvas cannot read CSS variables), each with its symbol for the legend. */
export const GRADE_STYLE = {
  achieved: { colour: '#0f6b2f', symbol: '◎' },
  mostly_achieved: { colour: '#8a5a00', symbol: '○' },
  not_achieved: { colour: '#a11d1d', symbol: '△' },
} as const;

export const ACCENT = '#0b4f9c';
export const MUTED = '#4a4a4a';
