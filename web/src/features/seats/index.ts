export { charging, chooseSeats, type OrderSeats, type SeatCharge, seatKeys, SeatsProblem, useOrderSeats, useSeatMaps } from "./api/seats";
export { changedServices, type Choices, type SeatedPassenger, seatedPassengers } from "./choices";
export { segmentIdOf } from "./layout";
export { preferredPosition } from "./preference";
export { changeDue, choicesTotal, heldChoices, SeatPicker } from "./components/SeatPicker";
