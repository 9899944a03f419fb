import { useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";

import { ProblemNotice } from "../../../components/ProblemNotice";
import { money } from "../../../lib/format";
import { busyButton, useAttempt } from "../../../lib/attempt";
import { fieldErrors } from "../../../lib/problems";
import { useSession } from "../../../lib/session";
import { SignInButton } from "../../auth";
import { usePricedOffer } from "../../offers";
import { useProfile, useTravelers } from "../../profile";
import { holdOffer } from "../api/orders";
import { carriedPassengers, carryPassengers } from "../carried";
import { ageRule } from "../../../lib/ageRule";
import { travelersFor, withAgeWords } from "../ages";
import { drafts, holdInfant, lapHolders, type PassengerDraft, passengerFieldFor, toPassengers } from "../model";
import { BookingFailure } from "./BookingFailure";
import { BookingSteps, Steps } from "./BookingSteps";
import { PassengerForm } from "./PassengerForm";

/** Passengers (the seats are held for them), then seats, then pay now or keep the hold; asks a
 * traveler who is not signed in to sign in. The held order's steps are `?order=…&step=…`. */
export function BookPage() {
  const { offerId = "" } = useParams();
  const [params] = useSearchParams();
  const session = useSession();
  const orderId = params.get("order");
  if (!session) {
    return (
      <div>
        <h1>Book this flight</h1>
        <p>Sign in to book: your trips are kept in your account.</p>
        {/* A first visit has no account yet, and "Sign in" alone did not say one is made there. */}
        <p>New to Skyfare? The sign-in page also creates your account, then brings you back to this flight.</p>
        <SignInButton returnTo={`/book/${encodeURIComponent(offerId)}${orderId ? `?order=${encodeURIComponent(orderId)}` : ""}`} className="primary" />
      </div>
    );
  }
  if (orderId) return <BookingSteps offerId={offerId} orderId={orderId} step={params.get("step") === "pay" ? "pay" : "seats"} />;
  return <Booking offerId={offerId} />;
}

function Booking({ offerId }: { offerId: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const { data: offer, error: offerError, refetch: refetchOffer } = usePricedOffer(offerId);
  const subject = session ? session.subject : "";
  // The first passenger starts as the profile (else the token's claims); the others may be saved travelers.
  const { data: profile, isPending: profilePending } = useProfile(subject);
  const { data: travelers = [] } = useTravelers(subject);
  // Passengers already typed come along when a new price came with a new offer id (409).
  const [passengers, setPassengers] = useState<PassengerDraft[] | null>(() => carriedPassengers(subject, offerId));
  const { problem, busy, attempt } = useAttempt();

  if (offerError) return <ProblemNotice problem={offerError.problem} retry={() => void refetchOffer()} />;
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
  const errors = problem ? fieldErrors(problem, passengerFieldFor, { passengers: toPassengers(list) }) : { byField: {}, other: [] };
  // An age refused in the hint's words and dates, not the API's ISO ones (ages.ts: one rule).
  const ageWorded = withAgeWords(errors.byField, list, offer.slices);

  // The seats are held now, so that seats can be chosen on the order; paying comes after.
  const book = () =>
    attempt(async () => {
      const order = await holdOffer(offerId, toPassengers(list));
      await navigate(`/book/${encodeURIComponent(offerId)}?order=${encodeURIComponent(order.id)}`, { replace: true });
    });

  return (
    <form
      className="book-page"
      aria-label="Passengers"
      onSubmit={(event) => {
        event.preventDefault();
        void book();
      }}
    >
      <Steps current="passengers" />
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
            if (renewed === offerId) void book();
            else {
              carryPassengers(subject, renewed, list);
              void navigate(`/book/${encodeURIComponent(renewed)}`);
            }
          }}
        />
      )}
      {list.map((passenger, index) => (
        <PassengerForm
          key={index}
          index={index}
          passenger={passenger}
          saved={travelersFor(
            passenger.type,
            offer.slices,
            travelers,
            passenger.traveler_id,
            new Set(list.filter((_, other) => other !== index).map((p) => p.traveler_id)),
          )}
          errors={ageWorded}
          ageHint={ageRule(passenger.type, offer.slices)}
          onChange={(change) =>
            setPassengers(list.map((p, i) => (i === index ? { ...p, ...change } : p)))
          }
          laps={{ adults: lapHolders(list), onHold: (adult) => setPassengers(holdInfant(list, index, adult)) }}
        />
      ))}
      <div className="actions">
        <button type="submit" className="primary" {...busyButton(busy)}>
          Continue to seats
        </button>
        <span className="price-note">Your seats are held while you choose them and pay.</span>
      </div>
    </form>
  );
}
