/**
 * Free text people type (prompts, names) is stored as typed, minus characters that only
 * confuse: control characters other than tab and newline, and bidirectional overrides that
 * would make a prompt display reversed in the gallery or the data export.
 */
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

export function cleanText(value: string): string {
  return value.replace(INVISIBLE_CONTROLS, '');
}
