import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import './i18n';
import './index.css';
import App from './App';
import { applyLocale, initialLocale, SessionProvider } from './session';
import { CartProvider } from './cart';

applyLocale(initialLocale());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <FluentProvider theme={webLightTheme} style={{ minHeight: '100vh' }}>
      <BrowserRouter>
        <SessionProvider>
          <CartProvider>
            <App />
          </CartProvider>
        </SessionProvider>
      </BrowserRouter>
    </FluentProvider>
  </StrictMode>,
);
