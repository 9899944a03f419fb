export { usePricedOffer } from "./api/offer";
export { mixOf } from "./baggage";
export { BaggageAllowance } from "./components/BaggageAllowance";
export { OfferPage } from "./components/OfferPage";
export { SliceDetails } from "./components/SliceDetails";
