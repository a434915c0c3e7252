/**
 * A held-out stream from the same flights-3m file built another way: the agents are destination airports (not
 * origins), a call's outcome is a delay over 30 minutes (not 15), the frozen raw confidence is fitted on
 * 1 January – 7 February, and the calls replayed are 8 February – 30 April (the benchmark's stream replays
 * 15 January – 30 June by origin).
 */
import { asyncBufferFromFile, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { buildStream, fromRows, type AgentStream } from '../stream.js';

export async function flightsDestinationStream(path: string): Promise<AgentStream> {
  const file = await asyncBufferFromFile(path);
  let columns: unknown[][] = [];
  await parquetRead({ file, compressors, columns: ['date', 'delay', 'distance', 'destination'], rowFormat: 'array', onComplete: (rows) => { columns = rows as unknown[][]; } });
  const until = Date.UTC(2001, 4, 1);
  const rows = fromRows(columns.filter((r) => (r[0] as Date).getTime() < until).map((r) => [r[0] as Date, Number(r[1]), Number(r[2]), r[3] as string]));
  return buildStream(rows, Date.UTC(2001, 1, 8), 30);
}
