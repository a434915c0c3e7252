/**
 * Reads the CSV and JSON files `ncp-silicon train` and `predict` take into sequences of rows (cells as strings),
 * grouped by a sequence column. Exported from the package beside the forecast windowing.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataFormatError } from '../errors.js';

/** One row of a data file: column name → cell text. */
export type Row = Record<string, string>;
/** The rows of one sequence (one value of the sequence column, or the whole file). */
export interface Sequence {
  id: string;
  rows: Row[];
}

/** CSV (header row) or JSON: an array of row objects, an array of such arrays, or `{ sequences: [...] }`. */
export function readSequences(path: string, sequenceColumn?: string): Sequence[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFormatError(code === 'ENOENT' ? `cannot read ${path}: no such file.` : `cannot read ${path}: ${(error as Error).message}.`);
  }
  const isJson = extname(path).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  const rowsOrSequences = isJson ? parseJsonRows(path, text) : [parseCsv(path, text)];
  if (sequenceColumn === undefined) return rowsOrSequences.map((rows, i) => ({ id: String(i), rows }));
  const groups = new Map<string, Row[]>();
  for (const rows of rowsOrSequences) {
    for (const row of rows) {
      const id = row[sequenceColumn];
      if (id === undefined) throw new DataFormatError(`${path} has no column "${sequenceColumn}" (--sequence-column).`);
      if (!groups.has(id)) groups.set(id, []);
      groups.get(id)!.push(row);
    }
  }
  return [...groups].map(([id, rows]) => ({ id, rows }));
}

export function parseCsv(path: string, text: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new DataFormatError(`${path} needs a header row and at least one data row.`);
  const header = splitCsvLine(lines[0]);
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) throw new DataFormatError(`${path} line ${i + 2} has ${cells.length} cells, the header has ${header.length}.`);
    return Object.fromEntries(header.map((h, c) => [h, cells[c]]));
  });
}

/** Comma-separated cells; double quotes around a cell allow commas in it ("" is a literal quote). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell.trim()), (cell = '');
    else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

function parseJsonRows(path: string, text: string): Row[][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(`${path} is not valid JSON (${(error as Error).message}).`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { sequences?: unknown }).sequences)) {
    value = (value as { sequences: unknown[] }).sequences;
  }
  const shape = 'an array of row objects, an array of such arrays, or {"sequences": [...]}';
  if (!Array.isArray(value) || value.length === 0) throw new DataFormatError(`${path} must hold ${shape}.`);
  const sequences = Array.isArray(value[0]) ? value : [value];
  return sequences.map((seq, s) => {
    if (!Array.isArray(seq)) throw new DataFormatError(`${path}: sequence ${s} is not an array (expected ${shape}).`);
    return seq.map((row, r) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new DataFormatError(`${path}: sequence ${s} row ${r} is not an object of column values.`);
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
    });
  });
}

export function columnsOf(sequences: readonly Sequence[]): string[] {
  const names = new Set<string>();
  for (const s of sequences) for (const row of s.rows) for (const k of Object.keys(row)) names.add(k);
  return [...names];
}
