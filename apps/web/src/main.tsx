import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { SessionProvider, useSession } from './auth';
import { Layout } from './components/Layout';
import './i18n';
import { AuditItem } from './pages/AuditItem';
import { Dashboard } from './pages/Dashboard';
import { Inbox } from './pages/Inbox';
import { Login } from './pages/Login';
import { ReviewQueue } from './pages/ReviewQueue';
import { SubmissionPage } from './pages/SubmissionPage';
import './styles.css';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });

/** Each person starts where their work is. */
function Home() {
  const session = useSession();
  if (session.has('department_staff')) return <Navigate to="/inbox" replace />;
  if (session.has('reviewer')) return <Navigate to="/reviews" replace />;
  if (session.has('auditor')) return <Navigate to="/audit" replace />;
  return <Navigate to="/dashboard" replace />;
}

function SignedIn() {
  const session = useSession();
  if (session.user === undefined) return null;
  if (session.user === null) return <Navigate to="/login" replace />;
  return <Layout />;
}

function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route element={<SignedIn />}>
        <Route index element={<Home />} />
        <Route path="inbox" element={<Inbox />} />
        <Route path="submissions/:planId/:fiscalYear/:stage/:itemId" element={<SubmissionPage />} />
        <Route path="reviews" element={<ReviewQueue />} />
        <Route path="audit" element={<AuditItem />} />
        <Route path="audit/:itemId" element={<AuditItem />} />
        <Route path="dashboard" element={<Dashboard />} />
      </Route>
    </Routes>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider>
          <App />
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
