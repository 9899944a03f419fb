import { RadioGroup } from "./RadioGroup";

// The sim gateway's test cards (README "Payments"): a real gateway's card form would give a token.
const CARDS = [
  { value: "tok_visa", label: "Test card that succeeds" },
  { value: "tok_declined", label: "Test card that is declined" },
];

export const DEFAULT_CARD = "tok_visa";

/** The card to charge, as a radio group under `legend`. */
export function CardChoice({ legend, card, onChange }: { legend: string; card: string; onChange: (token: string) => void }) {
  return <RadioGroup legend={legend} name="card" options={CARDS} value={card} onChange={onChange} className="payment" optionClassName="check" />;
}
