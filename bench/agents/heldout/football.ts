/**
 * A held-out stream from vega-datasets' football.json (6,508 matches of five European leagues, 2013–2017): each
 * home team is an agent forecasting its own home win. Its raw confidence comes from team strengths and a home
 * advantage fitted on the 2013/14 season and then frozen (a stale tipster: squads change every summer); the
 * feature is the frozen strength difference. A call is made at noon of match day, its outcome revealed two
 * hours later. Small: equal-mass ECE on ~5,000 calls has a sampling floor near 0.02 (the report prints it).
 */
import { readFileSync } from 'node:fs';
import type { AgentStream } from '../stream.js';

interface Match { date: string; home_team: string; away_team: string; home_score: number | null; away_score: number | null }

const HOUR = 3_600_000;

export function footballStream(path: string, fitUntil = Date.UTC(2014, 6, 1)): AgentStream {
  const matches = (JSON.parse(readFileSync(path, 'utf8')) as Match[])
    .filter((m) => m.home_score !== null && m.away_score !== null)
    .map((m) => ({ ...m, time: Date.parse(`${m.date}T12:00:00Z`) }))
    .sort((a, b) => a.time - b.time);
  const teams = new Map<string, number>();
  const team = (name: string): number => { if (!teams.has(name)) teams.set(name, teams.size); return teams.get(name)!; };
  for (const m of matches) { team(m.home_team); team(m.away_team); }
  const fit = matches.filter((m) => m.time < fitUntil);
  const strength = fitStrengths(fit.map((m) => [team(m.home_team), team(m.away_team), m.home_score! > m.away_score! ? 1 : 0]), teams.size);
  const replayed = matches.filter((m) => m.time >= fitUntil);
  const n = replayed.length;
  const names = [...teams.keys()];
  const s: AgentStream = {
    airports: names, time: new Float64Array(n), revealTime: new Float64Array(n), agent: new Int32Array(n),
    confidence: new Float64Array(n), features: new Float32Array(n), outcome: new Uint8Array(n), fitCalls: fit.length,
  };
  replayed.forEach((m, j) => {
    const h = team(m.home_team), a = team(m.away_team);
    const z = strength.home + strength.team[h] - strength.team[a];
    s.agent[j] = h; s.time[j] = m.time; s.revealTime[j] = m.time + 2 * HOUR;
    s.confidence[j] = 1 / (1 + Math.exp(-z));
    s.features[j] = strength.team[h] - strength.team[a];
    s.outcome[j] = m.home_score! > m.away_score! ? 1 : 0;
  });
  return s;
}

/** Logistic Bradley–Terry with a home advantage, ridge-penalized, by full-batch gradient steps (deterministic). */
function fitStrengths(games: [number, number, number][], teams: number): { home: number; team: Float64Array } {
  const team = new Float64Array(teams), grad = new Float64Array(teams);
  let home = 0;
  for (let it = 0; it < 500; it++) {
    grad.fill(0);
    let gHome = 0;
    for (const [h, a, y] of games) {
      const r = 1 / (1 + Math.exp(-(home + team[h] - team[a]))) - y;
      gHome += r; grad[h] += r; grad[a] -= r;
    }
    const n = Math.max(games.length, 1);
    home -= (2 * gHome) / n;
    for (let t = 0; t < teams; t++) team[t] -= 20 * (grad[t] / n + 0.002 * team[t]);
  }
  return { home, team };
}
