/** The separators people type in a phone number ("+44 20 7183-8750", "+1 (415) 555.0100"). */
const SEPARATORS = /[\s().-]/g;

/**
 * A phone number as the API takes it (E.164: "+" and digits only): the spaces, hyphens, dots and
 * brackets a traveler types are dropped when what is left is "+" and digits. Anything else is
 * sent as typed, for the API to refuse beside the field with its rule.
 */
export function phoneToSend(typed: string): string {
  const bare = typed.replace(SEPARATORS, "");
  return /^\+\d+$/.test(bare) ? bare : typed.trim();
}
