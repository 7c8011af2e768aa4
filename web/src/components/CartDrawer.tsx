import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  OverlayDrawer,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DeleteRegular, DismissRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useCart } from '../cart';
import { useFormat } from '../format';
import { ErrorBar, Loading, useCommonStyles } from './common';
import { useSkuName } from '../names';
import { useSubmit } from '../submit';

const useStyles = makeStyles({
  drawer: {
    '@media (max-width: 599px)': { width: '100vw', maxWidth: '100vw' },
  },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '12px' },
  line: {
    display: 'grid',
    gridTemplateColumns: '1fr auto',
    gap: '4px 8px',
    padding: '12px',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  footer: { display: 'flex', flexDirection: 'column', alignItems: 'stretch', gap: '12px' },
  buttons: { display: 'flex', gap: '8px', justifyContent: 'flex-end', flexWrap: 'wrap' },
});

export function CartDrawer() {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const cart = useCart();
  const skuName = useSkuName();
  const navigate = useNavigate();
  const remove = useSubmit();
  const lines = cart.cart?.lineItems ?? [];

  return (
    <OverlayDrawer
      className={s.drawer}
      position="end"
      size="medium"
      open={cart.open}
      onOpenChange={(_, d) => cart.setOpen(d.open)}
      aria-labelledby="cart-title"
    >
      <DrawerHeader>
        <DrawerHeaderTitle
          heading={{ id: 'cart-title' }}
          action={<Button appearance="subtle" aria-label={t('close')} icon={<DismissRegular />} onClick={() => cart.setOpen(false)} />}
        >
          {t('cart')}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <ErrorBar message={remove.message ?? cart.error} />
        {cart.loading && !cart.cart ? <Loading /> : null}
        {!cart.loading && lines.length === 0 ? <p className={c.p}>{t('cartEmpty')}</p> : null}
        {lines.length > 0 ? (
          <ul className={s.list} aria-label={t('cart')} data-testid="cart-lines">
            {lines.map((l, i) => {
              const name = skuName(l.skuId, l.name);
              return (
                <li key={l.id ?? `${l.skuId}-${l.billingCycle}`} className={s.line} data-testid="cart-line">
                  <span className={s.name}>{name}</span>
                  <Button
                    appearance="subtle"
                    size="small"
                    icon={<DeleteRegular />}
                    aria-label={t('removeFromCart', { name })}
                    disabled={remove.busy}
                    onClick={() => remove.run(() => cart.removeLine(i))}
                  />
                  <span>
                    {t('quantity')}: <span data-testid="cart-line-quantity">{f.num(l.quantity)}</span> ·{' '}
                    {l.billingCycle === 'annual' ? t('cycleAnnual') : t('cycleMonthly')}
                  </span>
                  <span className={c.num}>{f.money(l.amount)}</span>
                  <span className={c.muted}>
                    {t('unitPrice')}: {f.money(l.unitPrice)}
                  </span>
                  {l.autoAssign ? <span className={c.muted}>{t('autoAssignOn')}</span> : <span />}
                </li>
              );
            })}
          </ul>
        ) : null}
      </DrawerBody>
      {lines.length > 0 && cart.cart ? (
        <DrawerFooter className={s.footer}>
          <dl className={c.totals}>
            <dt>{t('subtotal')}</dt>
            <dd>{f.money(cart.cart.subtotal)}</dd>
            <dt>{t('tax')}</dt>
            <dd>{f.money(cart.cart.tax)}</dd>
            <dt className={c.totalRow}>{t('total')}</dt>
            <dd className={c.totalRow}>{f.money(cart.cart.total)}</dd>
          </dl>
          {cart.cart.expiresAt ? <p className={c.muted}>{t('cartKeptUntil', { date: f.date(cart.cart.expiresAt) })}</p> : null}
          <div className={s.buttons}>
            <Button
              appearance="primary"
              disabled={remove.busy}
              onClick={() => {
                const id = cart.cart!.id;
                cart.setOpen(false);
                navigate(`/checkout/${encodeURIComponent(id)}`);
              }}
            >
              {t('checkOut')}
            </Button>
          </div>
        </DrawerFooter>
      ) : null}
    </OverlayDrawer>
  );
}
