/**
 * Help text with readable defaults: commander prints `(default: ["cfc","ltc"])` as JSON and wraps it mid-phrase
 * ("(default:\n 1)"). Here each default goes on its own line, in the form one would type it: `default: cfc,ltc`.
 */
import type { HelpConfiguration, Option } from 'commander';

/** The default as typed on the command line: strings bare, lists comma-separated. */
export function describeDefault(value: unknown): string {
  if (Array.isArray(value)) return value.map(describeDefault).join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`one of: ${option.argChoices.join(', ')}`);
  // Flags without a value (--quiet) have no default worth printing.
  if (option.defaultValue !== undefined && (option.required || option.optional)) {
    extra.push(`default: ${option.defaultValueDescription ?? describeDefault(option.defaultValue)}`);
  }
  return [option.description, ...extra].filter((line) => line).join('\n');
}

export const READABLE_HELP: HelpConfiguration = { optionDescription };
