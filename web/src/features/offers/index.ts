export { usePricedOffer } from "./api/offer";
export { OfferPage } from "./components/OfferPage";
export { SliceDetails } from "./components/SliceDetails";
