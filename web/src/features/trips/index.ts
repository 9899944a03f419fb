export { useOrdersInFlight } from "./api/orders";
export { TripsPage } from "./components/TripsPage";
export { TripsToCancel, tripName } from "./components/TripsToCancel";
