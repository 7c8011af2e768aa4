// licensedesk: serve | migrate | demo | invoice pay | invoice list. Every flag can also come from
// the environment as LICENSEDESK_<NAME> (LICENSEDESK_LISTEN, LICENSEDESK_DB, ...).
#include <malloc.h>
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/db_url.h"
#include "cli/serve.h"

namespace {

void AddCommon(CLI::App* cmd, ld::cli::CommonOptions& o) {
  cmd->add_option("--db", o.db, "Database URL: sqlite:///abs/path.db or postgresql://...")
      ->envname("LICENSEDESK_DB")
      ->default_str(ld::cli::DefaultDbUrl());
  cmd->add_option("--cloud", o.cloud, "The cloud this deployment serves")
      ->envname("LICENSEDESK_CLOUD")
      ->check(CLI::IsMember({"worldwide", "germany", "china"}))
      ->capture_default_str();
  cmd->add_option("--catalog", o.catalog, "The operator's catalog (JSON)")
      ->envname("LICENSEDESK_CATALOG")
      ->default_str(ld::cli::DefaultCatalogPath());
  cmd->add_option("--deployment-domain", o.deploymentDomain,
                  "Organizations get <prefix>.<this domain>")
      ->envname("LICENSEDESK_DEPLOYMENT_DOMAIN")
      ->capture_default_str();
  cmd->add_option("--gateway-ledger", o.gatewayLedger,
                  "Keep the test payment gateway's ledger in this append-only file")
      ->envname("LICENSEDESK_GATEWAY_LEDGER");
}

}  // namespace

int main(int argc, char** argv) {
  // Graph pages (up to ~1 MiB of JSON, a thousand users) are built and freed
  // on every request: above glibc's default thresholds each one was a fresh
  // mmap, page faults and a munmap. Keep such blocks in the heap instead, and
  // give memory back only when more than 64 MiB sit unused at its top.
  mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  if (sodium_init() < 0) {
    std::cerr << "licensedesk: libsodium failed to initialize\n";
    return 1;
  }
  CLI::App app{"licensedesk: a self-hostable admin center for seat-based subscriptions"};
  app.require_subcommand(1);

  ld::cli::ServeOptions serve;
  CLI::App* s = app.add_subcommand("serve", "Run the HTTP server");
  AddCommon(s, serve.common);
  s->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("LICENSEDESK_LISTEN")
      ->capture_default_str();
  s->add_flag("--demo", serve.demo, "Create the demo organization on an empty database")
      ->envname("LICENSEDESK_DEMO");
  s->add_option("--tls-cert", serve.tlsCert, "PEM certificate (with --tls-key: HTTPS)")
      ->envname("LICENSEDESK_TLS_CERT");
  s->add_option("--tls-key", serve.tlsKey, "PEM private key")->envname("LICENSEDESK_TLS_KEY");
  s->add_option("--web-root", serve.webRoot, "The admin center's built files")
      ->envname("LICENSEDESK_WEB_ROOT")
      ->default_str(ld::cli::DefaultWebRoot());
  s->add_flag("--no-signup", serve.noSignup, "Turn POST /api/v1/signup off")
      ->envname("LICENSEDESK_NO_SIGNUP");
  s->add_flag("--test-clock", serve.testClock,
              "Let the operator move billing time (needs --operator-token)")
      ->envname("LICENSEDESK_TEST_CLOCK");
  s->add_option("--operator-token", serve.operatorToken,
                "The operator's bearer secret (at least 16 characters) for the test clock")
      ->envname("LICENSEDESK_OPERATOR_TOKEN");
  s->add_option("--public-url", serve.publicUrl,
                "The base of absolute links (https://admin.example.com); default from --listen")
      ->envname("LICENSEDESK_PUBLIC_URL");
  s->add_flag("--sso-allow-http", serve.ssoAllowHttp,
              "Accept http:// single sign-on issuers (tests, on-premises providers)")
      ->envname("LICENSEDESK_SSO_ALLOW_HTTP");
  s->add_option("--trusted-proxy", serve.trustedProxies,
                "Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
                "names the client")
      ->envname("LICENSEDESK_TRUSTED_PROXY");
  s->add_option("--log-file", serve.logFile, "JSON-lines access log (default: stderr)")
      ->envname("LICENSEDESK_LOG_FILE");
  s->add_option("--keep-idempotency-hours", serve.keepIdempotencyHours,
                "Hours an Idempotency-Key replays its first answer before it is purged")
      ->envname("LICENSEDESK_KEEP_IDEMPOTENCY_HOURS")
      ->check(CLI::Range(24, 24 * 365))
      ->capture_default_str();
  s->add_option("--keep-expired-carts-days", serve.keepExpiredCartsDays,
                "Days an expired, never ordered cart is kept before it is purged")
      ->envname("LICENSEDESK_KEEP_EXPIRED_CARTS_DAYS")
      ->check(CLI::Range(0, 3650))
      ->capture_default_str();
  s->add_option("--keep-expired-tokens-days", serve.keepExpiredTokensDays,
                "Days an expired token or session is kept before it is purged")
      ->envname("LICENSEDESK_KEEP_EXPIRED_TOKENS_DAYS")
      ->check(CLI::Range(0, 365))
      ->capture_default_str();
  s->add_option("--workers", serve.workers, "Worker threads (run the requests' handlers)")
      ->envname("LICENSEDESK_WORKERS")
      ->check(CLI::Range(4, 4096))
      ->capture_default_str();
  s->add_option("--io-threads", serve.ioThreads, "Event-loop threads (sockets, TLS, parsing)")
      ->envname("LICENSEDESK_IO_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  s->add_option("--max-connections", serve.maxConnections,
                "Open connections; past it a connection gets 503 and is closed")
      ->envname("LICENSEDESK_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  s->add_option("--keep-alive-seconds", serve.keepAliveSeconds,
                "How long an idle keep-alive connection stays open")
      ->envname("LICENSEDESK_KEEP_ALIVE_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();

  ld::cli::CommonOptions migrate;
  std::string from, to;
  CLI::App* m = app.add_subcommand(
      "migrate", "Apply the database migrations, or move a deployment with --from and --to");
  AddCommon(m, migrate);
  m->add_option("--from", from, "Copy this database (e.g. sqlite:///old.db) ...");
  m->add_option("--to", to, "... into this empty one (e.g. postgresql://...), verified");

  ld::cli::CommonOptions demo;
  CLI::App* d = app.add_subcommand("demo", "Create the demo organization and its data");
  AddCommon(d, demo);

  // The operator's side of invoices paid by bank transfer (issue 5).
  ld::cli::CommonOptions invoice;
  CLI::App* inv = app.add_subcommand("invoice", "Invoices paid by bank transfer");
  inv->require_subcommand(1);
  std::string pay_number;
  std::string pay_reference;
  CLI::App* pay = inv->add_subcommand(
      "pay",
      "Record that an invoice was paid by transfer (what its being overdue expired comes back)");
  AddCommon(pay, invoice);
  pay->add_option("--number", pay_number, "The invoice number, e.g. INV-000042 or 42")->required();
  pay->add_option("--reference", pay_reference,
                  "The transfer's reference, e.g. the bank statement line (at most 200 "
                  "characters)");
  std::string list_status = "overdue";
  CLI::App* list =
      inv->add_subcommand("list", "List every organization's invoices in a payment status");
  AddCommon(list, invoice);
  list->add_option("--status", list_status, "due, overdue or paid")
      ->check(CLI::IsMember({"due", "overdue", "paid"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (s->parsed()) return ld::cli::RunServe(serve);
  if (m->parsed()) return ld::cli::RunMigrate(migrate, from, to);
  if (d->parsed()) return ld::cli::RunDemo(demo);
  if (pay->parsed()) return ld::cli::RunInvoicePay(invoice, pay_number, pay_reference);
  if (list->parsed()) return ld::cli::RunInvoiceList(invoice, list_status);
  return 2;
}
