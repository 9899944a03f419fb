export { OfferPage } from "./components/OfferPage";
