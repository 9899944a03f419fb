import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, RouterProvider } from "react-router";

import { AuthCallback } from "../features/auth";
import { BookPage, OrderPage } from "../features/booking";
import { OfferPage } from "../features/offers";
import { ProfilePage } from "../features/profile";
import { ResultsPage } from "../features/results";
import { TripsPage } from "../features/trips";
import { HomePage } from "./HomePage";
import { Layout } from "./Layout";
import { NotFound } from "./NotFound";

// The server answers the shell on exactly these paths (skyfare/webapp.py CLIENT_ROUTES).
const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <HomePage /> },
      { path: "/results", element: <ResultsPage /> },
      { path: "/offers/:offerId", element: <OfferPage /> },
      { path: "/auth/callback", element: <AuthCallback /> },
      { path: "/trips", element: <TripsPage /> },
      { path: "/trips/:orderId", element: <OrderPage /> },
      { path: "/book/:offerId", element: <BookPage /> },
      { path: "/profile", element: <ProfilePage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

const queryClient = new QueryClient({
  defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
