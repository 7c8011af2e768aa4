// The cart lives on the server (it survives a reload or another device). The
// admin center shows the caller's newest active cart (GET /api/v1/carts?status=active).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type BillingCycle, type Cart, type CartLine, type ListResponse, type Offer } from './api';
import { useErrorText } from './errors';
import { rememberOffers } from './names';
import { useSession } from './session';

export interface NewLine {
  skuId: string;
  quantity: number;
  billingCycle: BillingCycle;
  autoAssign: boolean;
}

interface CartValue {
  cart: Cart | null;
  count: number;
  open: boolean;
  loading: boolean;
  error: string | null;
  setOpen: (open: boolean) => void;
  /** Reloads the newest active cart from the server. */
  refresh: () => Promise<Cart | null>;
  /** Adds a line to the newest active cart (or a new cart) and opens the cart. */
  addLine: (line: NewLine) => Promise<Cart>;
  removeLine: (index: number) => Promise<void>;
  /** Forget the cart after it was ordered. */
  clear: () => void;
}

const CartContext = createContext<CartValue | null>(null);

function toBody(lines: (CartLine | NewLine)[]) {
  return {
    lineItems: lines.map((l) => ({
      skuId: l.skuId,
      quantity: l.quantity,
      billingCycle: l.billingCycle,
      autoAssign: Boolean(l.autoAssign),
    })),
  };
}

export function CartProvider({ children }: { children: ReactNode }) {
  const { status, perms } = useSession();
  const [cart, setCart] = useState<Cart | null>(null);
  const [open, setOpen] = useState(false);
  const [loading, setLoading] = useState(false);
  const errorText = useErrorText();
  const [error, setError] = useState<unknown>(null);
  const enabled = status === 'signedIn' && perms.canBuy;

  const newest = useCallback(async (): Promise<Cart | null> => {
    const list = await api.get<ListResponse<Cart>>('/api/v1/carts?status=active');
    const carts = (list.value ?? []).filter((c) => c.status === 'active');
    return carts[0] ?? null;
  }, []);

  const refresh = useCallback(async () => {
    if (!enabled) return null;
    setLoading(true);
    setError(null);
    try {
      const c = await newest();
      setCart(c);
      return c;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setLoading(false);
    }
  }, [enabled, newest]);

  useEffect(() => {
    if (enabled) {
      // Product names in the active locale for the cart lines, then the cart itself.
      void api
        .get<ListResponse<Offer>>('/api/v1/offers')
        .then((r) => rememberOffers(r.value ?? []))
        .catch(() => undefined)
        .finally(() => void refresh());
    }
    else {
      setCart(null);
      setOpen(false);
    }
  }, [enabled, refresh]);

  const addLine = useCallback(
    async (line: NewLine) => {
      const current = await newest();
      let result: Cart;
      if (current) {
        const lines: (CartLine | NewLine)[] = current.lineItems.filter(
          (l) => !(l.skuId.toLowerCase() === line.skuId.toLowerCase() && l.billingCycle === line.billingCycle),
        );
        lines.push(line);
        result = await api.put<Cart>(`/api/v1/carts/${encodeURIComponent(current.id)}`, toBody(lines));
      } else {
        result = await api.post<Cart>('/api/v1/carts', toBody([line]));
      }
      setCart(result);
      setError(null);
      setOpen(true);
      return result;
    },
    [newest],
  );

  const removeLine = useCallback(
    async (index: number) => {
      if (!cart) return;
      const lines = cart.lineItems.filter((_, i) => i !== index);
      const result = await api.put<Cart>(`/api/v1/carts/${encodeURIComponent(cart.id)}`, toBody(lines));
      setCart(result);
    },
    [cart],
  );

  const clear = useCallback(() => setCart(null), []);

  const value = useMemo<CartValue>(
    () => ({
      cart,
      count: cart?.lineItems.length ?? 0,
      open,
      loading,
      error: error ? errorText(error) : null,
      setOpen,
      refresh,
      addLine,
      removeLine,
      clear,
    }),
    [cart, open, loading, error, errorText, refresh, addLine, removeLine, clear],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartValue {
  const v = useContext(CartContext);
  if (!v) throw new Error('useCart outside CartProvider');
  return v;
}
