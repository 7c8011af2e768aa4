// Worldwide cloud: Billing → Purchase services → Buy → licenses, cycle,
// auto-assign → Check out now (creates or updates the server cart, opens it).
import { Button } from '@fluentui/react-components';
import { ArrowLeftRegular } from '@fluentui/react-icons';
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router-dom';
import type { Offer } from '../api';
import { useCart } from '../cart';
import { AppLink, ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { AlreadyPurchased, OfferCard, OfferPrice } from '../components/OfferCard';
import { PurchaseForm } from '../components/PurchaseForm';
import { getAll, useLoad } from '../hooks';
import { rememberOffers } from '../names';
import { useSignedIn } from '../session';
import { useSkuName } from '../names';

export interface WelcomeState {
  welcome?: { organization: string; upn: string };
}

export function WelcomeBanner() {
  const { t } = useTranslation();
  const loc = useLocation();
  const w = (loc.state as WelcomeState | null)?.welcome;
  if (!w) return null;
  return (
    <InfoBar intent="success" title={t('choosePlan')}>
      {t('signupDone', { name: w.organization, upn: w.upn })} {t('choosePlanIntro')}
    </InfoBar>
  );
}

export function useOffers() {
  return useLoad(
    (signal) =>
      getAll<Offer>('/api/v1/offers', signal).then((o) => {
        rememberOffers(o);
        return o;
      }),
    [],
  );
}

/**
 * A page of the market's offers as cards: heading, the welcome after sign-up,
 * the intro (and a hint), then one card per offer; children come after the cards.
 */
export function OffersPage({
  title,
  hint,
  renderOffer,
  children,
}: {
  title: string;
  hint?: string;
  renderOffer: (offer: Offer) => ReactNode;
  children?: ReactNode;
}) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const offers = useOffers();

  return (
    <div className={c.page}>
      <PageHeader title={title} />
      <WelcomeBanner />
      <p className={c.muted}>
        {t('offersIntro', { org: session.organization.displayName, currency: session.organization.currency })}
        {hint ? <> {hint}</> : null}
      </p>
      <ErrorBar message={offers.error} onRetry={offers.reload} />
      {offers.loading ? <Loading /> : null}
      {offers.data && offers.data.length === 0 ? <p className={c.p}>{t('noOffers')}</p> : null}
      <div className={c.grid}>
        {offers.data?.map((o) => (
          <Fragment key={o.skuId}>{renderOffer(o)}</Fragment>
        ))}
      </div>
      {children}
    </div>
  );
}

export function PurchaseServices() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const loc = useLocation();

  return (
    <OffersPage
      title={t('purchaseServices')}
      renderOffer={(o) => (
        <OfferCard
          offer={o}
          actions={
            <Button appearance="primary" onClick={() => navigate(`/billing/purchase/${encodeURIComponent(o.skuId)}`, { state: loc.state })}>
              {t('buy')}
            </Button>
          }
        />
      )}
    />
  );
}

export function PurchaseOffer() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { skuId } = useParams();
  const cart = useCart();
  const offers = useOffers();
  const name = useSkuName();
  const offer = offers.data?.find((o) => o.skuId.toLowerCase() === (skuId ?? '').toLowerCase());

  return (
    <div className={c.page}>
      <div>
        <AppLink to="/billing/purchase">
          <ArrowLeftRegular aria-hidden style={{ verticalAlign: 'middle', marginRight: 4 }} />
          {t('backToOffers')}
        </AppLink>
      </div>
      {offers.loading ? <Loading /> : null}
      <ErrorBar message={offers.error} onRetry={offers.reload} />
      {!offers.loading && !offers.error && !offer ? <PageHeader title={t('offerNotFound')} /> : null}
      {offer ? (
        <>
          <PageHeader title={name(offer.skuId, offer.name)} />
          <WelcomeBanner />
          {offer.purchased ? <AlreadyPurchased /> : null}
          {offer.description ? <p className={c.p}>{offer.description}</p> : null}
          <OfferPrice offer={offer} />
          {offer.servicePlans && offer.servicePlans.length > 0 ? (
            <div>
              <h2 className={c.h3}>{t('includes')}</h2>
              <ul>
                {offer.servicePlans.map((p, i) => (
                  <li key={p.servicePlanId ?? i}>{p.servicePlanName ?? p.servicePlanId}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <div className={c.card}>
            <PurchaseForm
              offer={offer}
              showAutoAssign
              submitLabel={t('checkOutNow')}
              onSubmit={async (line) => {
                await cart.addLine(line);
              }}
            />
          </div>
        </>
      ) : null}
    </div>
  );
}
