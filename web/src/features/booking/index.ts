export { BookPage } from "./components/BookPage";
export { OrderPage } from "./components/OrderPage";
// A card's bank asking the traveler to confirm a charge (3-D Secure): a flight change shows it too.
export { BankCheck } from "./components/BankCheck";
