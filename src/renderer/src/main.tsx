import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiContext } from './api/hooks';
import { createClient } from './api/client';
import { ErrorBoundary } from './components/ErrorBoundary';
import './styles.css';

const client = createClient();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary>
      <ApiContext.Provider value={client}>
        <App />
      </ApiContext.Provider>
    </ErrorBoundary>
  </StrictMode>,
);
