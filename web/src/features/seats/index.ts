export { chooseSeats, type OrderSeats, seatKeys, SeatsProblem, useOrderSeats, useSeatMaps } from "./api/seats";
export { changedServices, type Choices, type SeatedPassenger } from "./choices";
export { segmentIdOf } from "./layout";
export { choicesTotal, heldChoices, SeatPicker } from "./components/SeatPicker";
