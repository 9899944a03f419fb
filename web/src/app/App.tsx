import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";

import { AuthCallback } from "../features/auth";
import { OfferPage } from "../features/offers";
import { ResultsPage } from "../features/results";
import { TripsPage } from "../features/trips";
import { HomePage } from "./HomePage";
import { Layout } from "./Layout";
import { NotFound } from "./NotFound";
import { createQueryClient } from "./queryClient";

// Booking, the trip's page (seats, cancelling, support) and the profile load when first opened:
// the search and its results, which every visit starts with, stay within the initial budget.
const BookPage = lazy(() => import("../features/booking").then((m) => ({ default: m.BookPage })));
const OrderPage = lazy(() => import("../features/booking").then((m) => ({ default: m.OrderPage })));
const ProfilePage = lazy(() => import("../features/profile").then((m) => ({ default: m.ProfilePage })));

const later = (screen: ReactNode) => <Suspense fallback={<p role="status">Loading…</p>}>{screen}</Suspense>;

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
      { path: "/trips/:orderId", element: later(<OrderPage />) },
      { path: "/book/:offerId", element: later(<BookPage />) },
      { path: "/profile", element: later(<ProfilePage />) },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

const queryClient = createQueryClient();

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
