export { BookPage } from "./components/BookPage";
export { OrderPage } from "./components/OrderPage";
