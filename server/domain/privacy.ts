/** Privacy center rules shared by the server and the account page's islands. */

/** What a person types to confirm deleting their account. */
export const DELETION_CONFIRM_PHRASE = 'delete my account';

/** Compared case-insensitively, ignoring extra spaces. */
export function normalizeConfirmation(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function confirmsDeletion(text: string): boolean {
  return normalizeConfirmation(text) === DELETION_CONFIRM_PHRASE;
}
