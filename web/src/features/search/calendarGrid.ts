/** The price calendar's month: weeks Monday first, each day `YYYY-MM-DD` or null outside the month. */
export function monthGrid(month: string): (string | null)[][] {
  const [year = 1970, mo = 1] = month.split("-").map(Number);
  const days = new Date(Date.UTC(year, mo, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(year, mo - 1, 1)).getUTCDay() + 6) % 7; // Monday = 0
  const cells: (string | null)[] = Array<string | null>(lead).fill(null);
  for (let d = 1; d <= days; d++) cells.push(`${month}-${String(d).padStart(2, "0")}`);
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
}

export function shiftMonth(month: string, by: number): string {
  const [year = 1970, mo = 1] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year, mo - 1 + by, 1));
  return date.toISOString().slice(0, 7);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function monthLabel(month: string): string {
  const [year, mo = 1] = month.split("-");
  return `${MONTHS[Number(mo) - 1] ?? ""} ${year ?? ""}`;
}
