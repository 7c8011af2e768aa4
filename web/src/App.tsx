import {
  Avatar,
  Button,
  CounterBadge,
  Menu,
  MenuButton,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  OverlayDrawer,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  CartRegular,
  ChevronDownRegular,
  ChevronRightRegular,
  DismissRegular,
  HomeRegular,
  KeyRegular,
  LocalLanguageRegular,
  NavigationRegular,
  PeopleRegular,
  ReceiptRegular,
  SignOutRegular,
} from '@fluentui/react-icons';
import { useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { CartDrawer } from './components/CartDrawer';
import { ErrorBar, PageHeader, useCommonStyles } from './components/common';
import { useErrorText } from './errors';
import { LOCALES, LOCALE_NAMES, type AppLocale } from './i18n';
import { useCart } from './cart';
import { takeAfterSignIn, useSession } from './session';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { Home } from './pages/Home';
import { PurchaseServices, PurchaseOffer } from './pages/PurchaseServices';
import { AddSubscriptions } from './pages/AddSubscriptions';
import { SubscriptionsPage } from './pages/Subscriptions';
import { YourProducts } from './pages/YourProducts';
import { Checkout } from './pages/Checkout';
import { ActiveUsers } from './pages/ActiveUsers';
import { GroupDetail, GroupsPage } from './pages/Groups';
import { LicensesPage, LicenseDetail } from './pages/Licenses';
import { BillsPayments } from './pages/BillsPayments';
import { MyLicenses } from './pages/MyLicenses';

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  skip: {
    position: 'absolute',
    left: '8px',
    top: '-48px',
    zIndex: 1000,
    padding: '8px 12px',
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForeground1,
    ':focus': { top: '8px' },
  },
  header: {
    height: '48px',
    flexShrink: 0,
    display: 'flex',
    alignItems: 'center',
    gap: '4px',
    padding: '0 8px 0 12px',
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    position: 'sticky',
    top: 0,
    zIndex: 10,
  },
  brand: {
    display: 'flex',
    alignItems: 'baseline',
    gap: '12px',
    minWidth: 0,
    flexGrow: 1,
    overflow: 'hidden',
    whiteSpace: 'nowrap',
  },
  product: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  area: {
    fontSize: tokens.fontSizeBase300,
    '@media (max-width: 599px)': { display: 'none' },
  },
  headerButton: {
    color: tokens.colorNeutralForegroundOnBrand,
    minWidth: '40px',
    ':hover': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundHover },
    ':hover:active': { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundPressed },
  },
  cartButton: { position: 'relative' },
  cartBadge: { position: 'absolute', top: '2px', right: '0px' },
  menuToggle: {
    '@media (min-width: 900px)': { display: 'none' },
  },
  body: { display: 'flex', flexGrow: 1, minWidth: 0 },
  sideNav: {
    width: '240px',
    flexShrink: 0,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    padding: '8px 0',
    '@media (max-width: 899px)': { display: 'none' },
  },
  main: {
    flexGrow: 1,
    minWidth: 0,
    padding: '24px 32px',
    outline: 'none',
    '@media (max-width: 599px)': { padding: '16px 12px' },
  },
  navList: { listStyleType: 'none', margin: 0, padding: 0 },
  navLink: {
    display: 'flex',
    alignItems: 'center',
    gap: '10px',
    minHeight: '40px',
    padding: '0 16px',
    color: tokens.colorNeutralForeground1,
    textDecorationLine: 'none',
    fontSize: tokens.fontSizeBase300,
    border: 'none',
    background: 'none',
    width: '100%',
    textAlign: 'start',
    cursor: 'pointer',
    fontFamily: 'inherit',
    ':hover': { backgroundColor: tokens.colorNeutralBackground3Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  subLink: { paddingLeft: '44px' },
  active: {
    fontWeight: tokens.fontWeightSemibold,
    backgroundColor: tokens.colorNeutralBackground1Selected,
    boxShadow: `inset 3px 0 0 ${tokens.colorBrandStroke1}`,
  },
  center: { display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: '60vh', padding: '24px' },
});

function NavItem({ to, icon, children, sub, onNavigate, end }: { to: string; icon?: ReactNode; children: ReactNode; sub?: boolean; onNavigate?: () => void; end?: boolean }) {
  const s = useStyles();
  return (
    <li>
      <NavLink
        to={to}
        end={end}
        onClick={onNavigate}
        className={({ isActive }) => mergeClasses(s.navLink, sub && s.subLink, isActive && s.active)}
      >
        {icon}
        {children}
      </NavLink>
    </li>
  );
}

function NavGroup({ label, icon, open, onToggle, children }: { label: string; icon: ReactNode; open: boolean; onToggle: () => void; children: ReactNode }) {
  const s = useStyles();
  const id = useId();
  return (
    <li>
      <button type="button" className={s.navLink} aria-expanded={open} aria-controls={id} onClick={onToggle}>
        {icon}
        <span style={{ flexGrow: 1 }}>{label}</span>
        {open ? <ChevronDownRegular aria-hidden /> : <ChevronRightRegular aria-hidden />}
      </button>
      <ul id={id} className={s.navList} hidden={!open}>
        {children}
      </ul>
    </li>
  );
}

function SideNavContent({ onNavigate }: { onNavigate?: () => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  const { perms, config } = useSession();
  const loc = useLocation();
  const inBilling = /^\/(billing|licenses|checkout)/.test(loc.pathname);
  const inUsers = /^\/(users|groups)/.test(loc.pathname);
  const [billingOpen, setBillingOpen] = useState(inBilling);
  const [usersOpen, setUsersOpen] = useState(inUsers);
  useEffect(() => {
    if (inBilling) setBillingOpen(true);
    if (inUsers) setUsersOpen(true);
  }, [inBilling, inUsers]);

  if (!perms.isAdmin) {
    return (
      <nav aria-label={t('adminCenter')}>
        <ul className={s.navList}>
          <NavItem to="/" end icon={<KeyRegular aria-hidden />} onNavigate={onNavigate}>
            {t('myLicenses')}
          </NavItem>
        </ul>
      </nav>
    );
  }
  const worldwide = config?.cloud === 'worldwide';
  return (
    <nav aria-label={t('adminCenter')}>
      <ul className={s.navList}>
        <NavItem to="/" end icon={<HomeRegular aria-hidden />} onNavigate={onNavigate}>
          {t('home')}
        </NavItem>
        {perms.readDirectory ? (
          <NavGroup label={t('users')} icon={<PeopleRegular aria-hidden />} open={usersOpen} onToggle={() => setUsersOpen((o) => !o)}>
            <NavItem to="/users" sub onNavigate={onNavigate}>
              {t('activeUsers')}
            </NavItem>
            <NavItem to="/groups" sub onNavigate={onNavigate}>
              {t('groups')}
            </NavItem>
          </NavGroup>
        ) : null}
        <NavGroup label={t('billing')} icon={<ReceiptRegular aria-hidden />} open={billingOpen} onToggle={() => setBillingOpen((o) => !o)}>
          {worldwide && perms.canBuy ? (
            <NavItem to="/billing/purchase" sub onNavigate={onNavigate}>
              {t('purchaseServices')}
            </NavItem>
          ) : null}
          {perms.readBilling || perms.readDirectory ? (
            <NavItem to="/billing/products" sub onNavigate={onNavigate}>
              {t('yourProducts')}
            </NavItem>
          ) : null}
          {perms.readBilling ? (
            <NavItem to="/billing/subscriptions" sub onNavigate={onNavigate}>
              {t('subscriptions')}
            </NavItem>
          ) : null}
          {perms.readDirectory ? (
            <NavItem to="/licenses" sub onNavigate={onNavigate}>
              {t('licenses')}
            </NavItem>
          ) : null}
          {perms.readBilling ? (
            <NavItem to="/billing/bills" sub onNavigate={onNavigate}>
              {t('billsAndPayments')}
            </NavItem>
          ) : null}
        </NavGroup>
      </ul>
    </nav>
  );
}

export function LanguageMenu({ className }: { className?: string }) {
  const { t } = useTranslation();
  const { locale, setLanguage } = useSession();
  const errorText = useErrorText();
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <Menu
        checkedValues={{ language: [locale] }}
        onCheckedValueChange={(_, d) => {
          const next = d.checkedItems[0] as AppLocale | undefined;
          if (next && next !== locale) {
            setError(null);
            setLanguage(next).catch((e: unknown) => setError(e));
          }
        }}
      >
        <MenuTrigger disableButtonEnhancement>
          <Button appearance="transparent" className={className} icon={<LocalLanguageRegular />} aria-label={t('language')} title={t('language')} />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            {LOCALES.map((l) => (
              <MenuItemRadio key={l} name="language" value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </MenuItemRadio>
            ))}
          </MenuList>
        </MenuPopover>
      </Menu>
      {error ? (
        <span role="alert" style={{ position: 'absolute', left: -9999 }}>
          {errorText(error)}
        </span>
      ) : null}
    </>
  );
}

function Header({ onMenu }: { onMenu: () => void }) {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session, perms, signOut } = useSession();
  const cart = useCart();
  const navigate = useNavigate();
  const countId = useId();
  if (!session) return null;
  return (
    <header className={s.header}>
      <Button
        appearance="transparent"
        className={mergeClasses(s.headerButton, s.menuToggle)}
        icon={<NavigationRegular />}
        aria-label={t('openNavigation')}
        onClick={onMenu}
      />
      <div className={s.brand}>
        <span className={s.product}>licensedesk</span>
        <span className={s.area}>{t('adminCenter')}</span>
      </div>
      {perms.canBuy ? (
        <div className={s.cartButton}>
          <Button
            appearance="transparent"
            className={s.headerButton}
            icon={<CartRegular />}
            aria-label={t('cart')}
            aria-describedby={countId}
            aria-haspopup="dialog"
            title={t('cart')}
            onClick={() => {
              cart.setOpen(true);
              void cart.refresh();
            }}
          />
          <span id={countId} className={c.visuallyHidden}>
            {t('cartItemCount', { count: cart.count })}
          </span>
          {cart.count > 0 ? (
            <CounterBadge className={s.cartBadge} count={cart.count} size="small" color="danger" aria-hidden data-testid="cart-count" />
          ) : null}
        </div>
      ) : null}
      <LanguageMenu className={s.headerButton} />
      <Menu>
        <MenuTrigger disableButtonEnhancement>
          <MenuButton
            appearance="transparent"
            className={s.headerButton}
            menuIcon={null}
            aria-label={t('accountMenu', { name: session.user.displayName })}
            icon={<Avatar name={session.user.displayName} size={28} color="colorful" aria-hidden />}
          />
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuGroup>
              <MenuGroupHeader>{session.user.userPrincipalName}</MenuGroupHeader>
              <MenuItem
                icon={<SignOutRegular />}
                onClick={() => {
                  void signOut().then(() => navigate('/signin', { replace: true }));
                }}
              >
                {t('signOut')}
              </MenuItem>
            </MenuGroup>
          </MenuList>
        </MenuPopover>
      </Menu>
    </header>
  );
}

function AfterSignIn() {
  const [target] = useState(takeAfterSignIn);
  return <Navigate to={target.to} state={target.state} replace />;
}

function NotFound() {
  const { t } = useTranslation();
  const c = useCommonStyles();
  return (
    <div className={c.page}>
      <PageHeader title={t('notFound')} />
      <p className={c.p}>{t('notFoundBody')}</p>
    </div>
  );
}

function SignedInApp() {
  const s = useStyles();
  const { t } = useTranslation();
  const { perms, config } = useSession();
  const [navOpen, setNavOpen] = useState(false);
  const loc = useLocation();
  useEffect(() => setNavOpen(false), [loc.pathname]);
  const worldwide = config?.cloud === 'worldwide';

  return (
    <div className={s.root}>
      <a href="#main" className={s.skip}>
        {t('skipToContent')}
      </a>
      <Header onMenu={() => setNavOpen(true)} />
      <div className={s.body}>
        <div className={s.sideNav}>
          <SideNavContent />
        </div>
        <OverlayDrawer open={navOpen} onOpenChange={(_, d) => setNavOpen(d.open)} position="start" size="small" aria-label={t('adminCenter')}>
          <DrawerHeader>
            <DrawerHeaderTitle
              action={<Button appearance="subtle" aria-label={t('close')} icon={<DismissRegular />} onClick={() => setNavOpen(false)} />}
            >
              {t('adminCenter')}
            </DrawerHeaderTitle>
          </DrawerHeader>
          <DrawerBody style={{ padding: 0 }}>
            <SideNavContent onNavigate={() => setNavOpen(false)} />
          </DrawerBody>
        </OverlayDrawer>
        <main id="main" className={s.main} tabIndex={-1}>
          {perms.isAdmin ? (
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/signin" element={<AfterSignIn />} />
              <Route path="/signup" element={<AfterSignIn />} />
              {perms.canBuy && worldwide ? <Route path="/billing/purchase" element={<PurchaseServices />} /> : null}
              {perms.canBuy && worldwide ? <Route path="/billing/purchase/:skuId" element={<PurchaseOffer />} /> : null}
              {perms.canBuy ? <Route path="/billing/subscriptions/add" element={<AddSubscriptions />} /> : null}
              {perms.readBilling ? <Route path="/billing/subscriptions" element={<SubscriptionsPage />} /> : null}
              {perms.readBilling || perms.readDirectory ? <Route path="/billing/products" element={<YourProducts />} /> : null}
              {perms.readBilling ? <Route path="/billing/bills" element={<BillsPayments />} /> : null}
              {perms.canBuy ? <Route path="/checkout/:cartId" element={<Checkout />} /> : null}
              {perms.readDirectory ? <Route path="/users" element={<ActiveUsers />} /> : null}
              {perms.readDirectory ? <Route path="/groups" element={<GroupsPage />} /> : null}
              {perms.readDirectory ? <Route path="/groups/:id" element={<GroupDetail />} /> : null}
              {perms.readDirectory ? <Route path="/licenses" element={<LicensesPage />} /> : null}
              {perms.readDirectory ? <Route path="/licenses/:skuId" element={<LicenseDetail />} /> : null}
              <Route path="*" element={<NotFound />} />
            </Routes>
          ) : (
            <Routes>
              <Route path="/" element={<MyLicenses />} />
              <Route path="/signin" element={<AfterSignIn />} />
              <Route path="*" element={<Navigate to="/" replace />} />
            </Routes>
          )}
        </main>
      </div>
      {perms.canBuy ? <CartDrawer /> : null}
    </div>
  );
}

export default function App() {
  const s = useStyles();
  const { t } = useTranslation();
  const { status, loadError, reload } = useSession();
  const loc = useLocation();

  if (status === 'loading') {
    return (
      <div className={s.center}>
        <Spinner label={t('loading')} />
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className={s.center}>
        <div style={{ maxWidth: 560, width: '100%' }}>
          <ErrorBar title={t('errorTitle')} message={loadError} onRetry={reload} />
        </div>
      </div>
    );
  }
  if (status === 'signedOut') {
    return (
      <Routes>
        <Route path="/signin" element={<SignIn />} />
        <Route path="/signup" element={<SignUp />} />
        <Route path="*" element={<Navigate to="/signin" replace state={{ from: loc.pathname + loc.search }} />} />
      </Routes>
    );
  }
  return <SignedInApp />;
}
