import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { ja } from './locales/ja';

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('language') : null;

/** Japanese first; English for whoever switches. The choice is remembered in this browser. */
void i18n.use(initReactI18next).init({
  resources: { ja: { translation: ja }, en: { translation: en } },
  lng: saved === 'en' ? 'en' : 'ja',
  fallbackLng: 'ja',
  interpolation: { escapeValue: false },
});

export function switchLanguage(language: 'ja' | 'en'): void {
  localStorage.setItem('language', language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export default i18n;
