import type { Currency } from "./api/client";

/** The currencies search prices in (kernel/currencies.py, through the generated types), by name.
 * A Record, so tsc fails here when the API's list gains or loses one. In the order a select
 * lists them: by name. */
export const CURRENCY_NAMES: Readonly<Record<Currency, string>> = {
  GBP: "British pound",
  EUR: "Euro",
  USD: "US dollar",
};

export const PRICED_CURRENCIES = Object.keys(CURRENCY_NAMES) as Currency[];

/** What a search prices in when the traveler chose nothing (the API's default too). */
export const DEFAULT_CURRENCY: Currency = "USD";

export function isPricedCurrency(code: string | null | undefined): code is Currency {
  return PRICED_CURRENCIES.some((c) => c === code);
}

let otherNames: Intl.DisplayNames | null | undefined;

/** `GBP` → `British pound`; a code search does not price in (a profile may hold one saved before
 * the API refused them) by the browser's English name for it (`JPY` → `Japanese Yen`), else as
 * written. */
export function currencyName(code: string): string {
  if (isPricedCurrency(code)) return CURRENCY_NAMES[code];
  if (otherNames === undefined) {
    try {
      otherNames = new Intl.DisplayNames(["en"], { type: "currency" });
    } catch {
      otherNames = null; // no Intl.DisplayNames: the code alone
    }
  }
  try {
    return otherNames?.of(code) ?? code;
  } catch {
    return code; // not a well-formed code
  }
}
