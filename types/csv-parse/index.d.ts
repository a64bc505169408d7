// csv-parse declares its CommonJS types behind an "exports" map that this
// CommonJS build ("moduleResolution": "node") cannot resolve; this declares the
// part of its synchronous API we use.
declare module 'csv-parse/sync' {
  export interface Options {
    bom?: boolean;
    relax_column_count?: boolean;
    skip_empty_lines?: boolean;
  }
  export class CsvError extends Error {
    readonly code: string;
    /** The line the parser had reached (1-based). */
    readonly lines?: number;
  }
  export function parse(input: string | Buffer, options?: Options): string[][];
}
