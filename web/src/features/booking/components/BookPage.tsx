import { useState } from "react";
import { useLocation, useNavigate, useParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { money } from "../../../lib/format";
import { fieldErrors, type Problem } from "../../../lib/problems";
import { useSession } from "../../../lib/session";
import { SignInButton } from "../../auth";
import { usePricedOffer } from "../../offers";
import { subjectOf, useProfile, useTravelers } from "../../profile";
import { BookingProblem, holdOffer, payOrder } from "../api/orders";
import { drafts, type PassengerDraft, passengerFieldFor, toPassengers } from "../model";
import { BookingFailure } from "./BookingFailure";
import { PassengerForm } from "./PassengerForm";

// The sim gateway's test cards (README "Payments"): a real gateway's card form would give a token.
const CARDS = [
  { token: "tok_visa", label: "Test card that succeeds" },
  { token: "tok_declined", label: "Test card that is declined" },
];

/** Passengers, then hold the seats or pay now; asks a traveler who is not signed in to sign in. */
export function BookPage() {
  const { offerId = "" } = useParams();
  const session = useSession();
  if (!session) {
    return (
      <div>
        <h1>Book this flight</h1>
        <p>Sign in to book: your trips are kept in your account.</p>
        <SignInButton returnTo={`/book/${encodeURIComponent(offerId)}`} className="primary" />
      </div>
    );
  }
  return <Booking offerId={offerId} />;
}

function Booking({ offerId }: { offerId: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const { data: offer, error: offerError } = usePricedOffer(offerId);
  const subject = session ? subjectOf(session.accessToken) : "";
  // The first passenger starts as the profile (else the token's claims); the others may be saved travelers.
  const { data: profile, isPending: profilePending } = useProfile(subject);
  const { data: travelers = [] } = useTravelers(subject);
  // Passengers already typed come along when a new price came with a new offer id (409).
  const carried = (location.state as { passengers?: PassengerDraft[] } | null)?.passengers ?? null;
  const [passengers, setPassengers] = useState<PassengerDraft[] | null>(carried);
  const [paying, setPaying] = useState(false);
  const [card, setCard] = useState("tok_visa");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  if (offerError) return <ProblemNotice problem={offerError.problem} />;
  if (!offer || profilePending) return <p role="status">Checking the price with the airline…</p>;
  const me = profile?.data;
  const list =
    passengers ??
    drafts(offer.passengers, {
      given_name: me?.given_name ?? session?.givenName ?? undefined,
      family_name: me?.family_name ?? session?.familyName ?? undefined,
      email: me?.email ?? session?.email ?? undefined,
      phone_number: me?.phone_number ?? undefined,
    });
  const errors = problem ? fieldErrors(problem, passengerFieldFor) : { byField: {}, other: [] };

  async function book(pay: boolean) {
    setPaying(pay);
    setBusy(true);
    setProblem(null);
    try {
      const order = await holdOffer(offerId, toPassengers(list));
      if (pay) await payOrder(order.id, card);
      navigate(`/trips/${encodeURIComponent(order.id)}`, { state: { paying: pay } });
    } catch (error) {
      setProblem(error instanceof BookingProblem ? error.problem : { type: "about:blank", status: 0 });
      setBusy(false);
    }
  }

  return (
    <form
      className="book-page"
      aria-label="Passengers and payment"
      onSubmit={(event) => {
        event.preventDefault();
        const submitter = (event.nativeEvent as SubmitEvent).submitter;
        void book(submitter?.getAttribute("value") === "pay");
      }}
    >
      <h1>Who is flying?</h1>
      <p className="price-note">
        {offer.slices.map((s) => `${s.origin} → ${s.destination}`).join(", ")} with {offer.owner.name} ·{" "}
        <strong>{money(offer.total_amount, offer.total_currency)}</strong>
      </p>
      {problem && (
        <BookingFailure
          problem={problem}
          other={errors.other}
          onAccept={() => {
            const renewed = typeof problem.offer_id === "string" ? problem.offer_id : offerId;
            if (renewed === offerId) void book(paying);
            else navigate(`/book/${encodeURIComponent(renewed)}`, { state: { passengers: list } });
          }}
        />
      )}
      {list.map((passenger, index) => (
        <PassengerForm
          key={index}
          index={index}
          passenger={passenger}
          travelers={travelers}
          errors={errors.byField}
          onChange={(change) =>
            setPassengers(list.map((p, i) => (i === index ? { ...p, ...change } : p)))
          }
        />
      ))}
      <fieldset className="payment">
        <legend>Payment</legend>
        {CARDS.map((option) => (
          <label key={option.token} className="check">
            <input
              type="radio"
              name="card"
              value={option.token}
              checked={card === option.token}
              onChange={() => setCard(option.token)}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" value="pay" disabled={busy}>
          Pay
        </button>
        <button type="submit" className="secondary" value="hold" disabled={busy}>
          Hold
        </button>
        <span className="price-note">Hold: the seats are kept for you until the deadline shown; pay later.</span>
      </div>
    </form>
  );
}
