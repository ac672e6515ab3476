/** Privacy center rules shared by the server and the account page's islands. */
import type { PrivacyRequest, PrivacyRequestKind } from '../ports.ts';

/** What a person types to confirm deleting their account. */
export const DELETION_CONFIRM_PHRASE = 'delete my account';

/** Compared case-insensitively, ignoring extra spaces. */
export function normalizeConfirmation(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function confirmsDeletion(text: string): boolean {
  return normalizeConfirmation(text) === DELETION_CONFIRM_PHRASE;
}

/** A fresh, unclaimed privacy request: the one shape exports and deletions start from. */
export function newPrivacyRequest(fields: { id: string; ownerId: string | null; kind: PrivacyRequestKind; at: string }): PrivacyRequest {
  return {
    id: fields.id,
    ownerId: fields.ownerId,
    kind: fields.kind,
    status: 'pending',
    steps: {},
    attempts: 0,
    lastError: null,
    artifactKey: null,
    artifactBytes: null,
    expiresAt: null,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: fields.at,
    updatedAt: fields.at,
    finishedAt: null,
  };
}
