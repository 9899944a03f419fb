import { RadioGroup } from "./RadioGroup";

// The sim gateway's test cards (README "Payments"): a real gateway's card form would give a token.
const CARDS = [
  { value: "tok_visa", label: "Test card that succeeds" },
  { value: "tok_declined", label: "Test card that is declined" },
];
// Its bank asks the traveler to confirm (3-D Secure): only where the app can show them the bank's
// page: the order's payment, a seat change's, a flight change's (docs/payments.md "3-D Secure").
const THREE_D_SECURE = { value: "tok_3ds_required", label: "Test card that asks for 3-D Secure" };

export const DEFAULT_CARD = "tok_visa";

/** The card to charge, as a radio group under `legend`; `threeDSecure`: with the card that asks
 * for 3-D Secure too. */
export function CardChoice({
  legend,
  card,
  onChange,
  threeDSecure = false,
}: {
  legend: string;
  card: string;
  onChange: (token: string) => void;
  threeDSecure?: boolean;
}) {
  const cards = threeDSecure ? [...CARDS, THREE_D_SECURE] : CARDS;
  return <RadioGroup legend={legend} name="card" options={cards} value={card} onChange={onChange} className="payment" optionClassName="check" />;
}
