/** Reads flights-3m.parquet (ZSTD pages: hyparquet with hyparquet-compressors) into the stream's rows. */
import { asyncBufferFromFile, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { fromRows, type FlightRows } from './stream.js';

export async function readFlightsParquet(path: string): Promise<FlightRows> {
  const file = await asyncBufferFromFile(path);
  let columns: unknown[][] = [];
  await parquetRead({ file, compressors, columns: ['date', 'delay', 'distance', 'origin'], rowFormat: 'array', onComplete: (rows) => { columns = rows as unknown[][]; } });
  return fromRows(columns.map((r) => [r[0] as Date, Number(r[1]), Number(r[2]), r[3] as string]));
}
