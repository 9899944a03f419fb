export { TripsPage } from "./components/TripsPage";
