#include "rawdb.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sqlite_util.h"

namespace ldb {

const char* RowsName(Rows r) {
  return r == Rows::kCheckout ? "checkout" : "assignLicense";
}

namespace {

using Id = std::array<uint8_t, 16>;
constexpr const char* kSku = "280e26e2-0778-4255-8446-07645355fd93";

// One operation's rows. `now` is Unix ms, `i` the operation number.
class RowWriter {
 public:
  RowWriter(Db& db, Rows rows) : db_(db), rows_(rows) {
    tenant_ = NewV7(UnixMs());
    actor_ = NewV7(UnixMs());
    sku_ = NewV7(UnixMs());
    db_.Exec("INSERT INTO license_pools (tenant_id, sku_id, consumed, next_seq) VALUES (x'" +
             Hex(tenant_) + "', x'" + Hex(sku_) + "', 0, 1)");
  }

  void Write(int64_t i) {
    if (rows_ == Rows::kAssign) return Assign(i);
    return Checkout(i);
  }

 private:
  static std::string Hex(const Id& id) {
    static const char* k = "0123456789abcdef";
    std::string s;
    for (uint8_t b : id) {
      s += k[b >> 4];
      s += k[b & 15];
    }
    return s;
  }

  void Audit(int64_t now, const char* action, const char* type, const Id& target,
             const std::string& after) {
    Stmt& s = db_.Prepare(
        "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, target_id, "
        "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)");
    Id id = NewV7(now);
    s.Blob(1, tenant_).Blob(2, id).Int(3, now).Blob(4, actor_).Text(5, action).Text(6, type);
    s.Text(7, GuidText(target.data())).Text(8, after).Run();
  }

  void Assign(int64_t i) {
    int64_t now = UnixMs();
    Id user = NewV7(now);
    db_.Prepare(
           "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, "
           "assigned_at, seq) VALUES (?, ?, ?, '', ?, ?)")
        .Blob(1, tenant_)
        .Blob(2, user)
        .Blob(3, sku_)
        .Int(4, now)
        .Int(5, i + 1)
        .Run();
    db_.Prepare(
           "UPDATE license_pools SET consumed = consumed + 1, next_seq = next_seq + 1 WHERE "
           "tenant_id = ? AND sku_id = ?")
        .Blob(1, tenant_)
        .Blob(2, sku_)
        .Run();
    Audit(now, "license.assign", "user", user,
          std::string("{\"disabledPlans\":[],\"skuId\":\"") + kSku + "\"}");
  }

  void Checkout(int64_t i) {
    int64_t now = UnixMs();
    Id cart = NewV7(now), line = NewV7(now), order = NewV7(now), sub = NewV7(now),
       invoice = NewV7(now);
    std::string key = "bench-" + std::to_string(i);
    // POST /api/v1/carts
    db_.Prepare(
           "INSERT INTO carts (tenant_id, id, owner_id, status, created_at, updated_at, "
           "expires_at) VALUES (?, ?, ?, 'active', ?, ?, ?)")
        .Blob(1, tenant_)
        .Blob(2, cart)
        .Blob(3, actor_)
        .Int(4, now)
        .Int(5, now)
        .Int(6, now + 7 * 86400000LL)
        .Run();
    db_.Prepare(
           "INSERT INTO cart_lines (tenant_id, cart_id, line_no, id, sku_id, quantity, "
           "billing_cycle, auto_assign) VALUES (?, ?, 0, ?, ?, 5, 'monthly', 0)")
        .Blob(1, tenant_)
        .Blob(2, cart)
        .Blob(3, line)
        .Blob(4, sku_)
        .Run();
    Audit(now, "cart.create", "cart", cart, "{\"lines\":1}");
    // Checkout, first write: the pending order and the key in flight.
    auto order_row = [&](const char* status, const char* payment, const char* charge) {
      db_.Prepare(
             "INSERT OR REPLACE INTO orders (tenant_id, id, cart_id, created_by, status, currency, "
             "subtotal, tax, total, payment_method_id, payment_status, charge_id, brand, last4, "
             "failure_code, created_at) VALUES (?, ?, ?, ?, ?, 'USD', 21600, 0, 21600, ?, ?, ?, "
             "'visa', '4242', '', ?)")
          .Blob(1, tenant_)
          .Blob(2, order)
          .Blob(3, cart)
          .Blob(4, actor_)
          .Text(5, status)
          .Blob(6, actor_)
          .Text(7, payment)
          .Text(8, charge)
          .Int(9, now)
          .Run();
    };
    auto order_lines = [&](bool withSub) {
      db_.Prepare("DELETE FROM order_lines WHERE tenant_id = ? AND order_id = ?")
          .Blob(1, tenant_)
          .Blob(2, order)
          .Run();
      Stmt& s = db_.Prepare(
          "INSERT INTO order_lines (tenant_id, order_id, line_no, sku_id, quantity, "
          "billing_cycle, auto_assign, unit_price, amount, tax, subscription_id, "
          "licenses_auto_assigned) VALUES (?, ?, 0, ?, 5, 'monthly', 0, 4320, 21600, 0, ?, 0)");
      s.Blob(1, tenant_).Blob(2, order).Blob(3, sku_);
      if (withSub)
        s.Blob(4, sub);
      else
        s.Null(4);
      s.Run();
    };
    order_row("pending", "pending", "");
    order_lines(false);
    db_.Prepare(
           "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, state, status_code, "
           "resource_type, resource_id, response, created_at) VALUES (?, ?, "
           "'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'in_flight', 0, "
           "'order', ?, '', ?)")
        .Blob(1, tenant_)
        .Text(2, key)
        .Text(3, GuidText(order.data()))
        .Int(4, now)
        .Run();
    // Checkout, second write: subscription, order completed, cart ordered, invoice.
    db_.Prepare(
           "INSERT INTO subscriptions (tenant_id, id, sku_id, quantity, billing_cycle, status, "
           "start_date, period_start, current_period_end, anchor_day, auto_renew, order_id, "
           "payment_method_id, currency, unit_price, tax_rate_bp, status_changed_at, "
           "next_action_at, created_at) VALUES (?, ?, ?, 5, 'monthly', 'active', ?, ?, ?, 24, 1, "
           "?, ?, 'USD', 4320, 0, ?, ?, ?)")
        .Blob(1, tenant_)
        .Blob(2, sub)
        .Blob(3, sku_)
        .Int(4, now)
        .Int(5, now)
        .Int(6, now + 30 * 86400000LL)
        .Blob(7, order)
        .Blob(8, actor_)
        .Int(9, now)
        .Int(10, now + 30 * 86400000LL)
        .Int(11, now)
        .Run();
    Audit(now, "subscription.create", "subscription", sub,
          std::string("{\"billingCycle\":\"monthly\",\"quantity\":5,\"skuId\":\"") + kSku + "\"}");
    db_.Prepare(
           "UPDATE orders SET status = 'completed', payment_status = 'captured', charge_id = ?, "
           "failure_code = '' WHERE tenant_id = ? AND id = ?")
        .Text(1, "ch_" + GuidText(order.data()))
        .Blob(2, tenant_)
        .Blob(3, order)
        .Run();
    order_lines(true);
    db_.Prepare(
           "UPDATE carts SET status = 'ordered', updated_at = ? WHERE tenant_id = ? AND id = ?")
        .Int(1, now)
        .Blob(2, tenant_)
        .Blob(3, cart)
        .Run();
    db_.Prepare("UPDATE counters SET value = value + 1 WHERE name = 'invoice_number'").Run();
    int64_t number = db_.Prepare("SELECT value FROM counters WHERE name = 'invoice_number'").One();
    db_.Prepare(
           "INSERT INTO invoices (tenant_id, id, number, kind, order_id, subscription_id, "
           "currency, subtotal, tax, total, payment_status, issued_at, due_at) VALUES (?, ?, ?, "
           "'invoice', ?, NULL, 'USD', 21600, 0, 21600, 'captured', ?, ?)")
        .Blob(1, tenant_)
        .Blob(2, invoice)
        .Int(3, number)
        .Blob(4, order)
        .Int(5, now)
        .Int(6, now)
        .Run();
    db_.Prepare(
           "INSERT INTO invoice_lines (tenant_id, invoice_id, line_no, description, sku_id, "
           "quantity, unit_price, amount, tax, period_start, period_end) VALUES (?, ?, 0, "
           "'Enterprise E3', ?, 5, 4320, 21600, 0, ?, ?)")
        .Blob(1, tenant_)
        .Blob(2, invoice)
        .Blob(3, sku_)
        .Int(4, now)
        .Int(5, now + 30 * 86400000LL)
        .Run();
    Audit(
        now, "order.completed", "order", order,
        "{\"currency\":\"USD\",\"payment\":\"captured\",\"status\":\"completed\",\"total\":21600}");
    db_.Prepare(
           "UPDATE idempotency_keys SET state = 'done', status_code = 201 WHERE tenant_id = ? AND "
           "idem_key = ?")
        .Blob(1, tenant_)
        .Text(2, key)
        .Run();
  }

  Db& db_;
  Rows rows_;
  Id tenant_, actor_, sku_;
};

}  // namespace

RawResult SqliteCommitRate(const std::string& dir, const std::string& schema, Rows rows, int batch,
                           double seconds) {
  std::string path = dir + "/raw-" + RowsName(rows) + "-" + std::to_string(batch) + ".db";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  RawResult out;
  {
    Db db(path);
    db.Exec("PRAGMA journal_mode=WAL");
    db.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY");
    db.Exec(schema);
    RowWriter w(db, rows);
    std::vector<int64_t> commitNs;
    double t0 = Now();
    double deadline = t0 + seconds;
    int64_t i = 0;
    while (Now() < deadline) {
      auto c0 = Clock::now();
      db.Exec("BEGIN IMMEDIATE");
      for (int k = 0; k < batch; ++k) {
        // The server wraps each write in a SAVEPOINT of the batch's transaction.
        db.Exec("SAVEPOINT w");
        w.Write(i++);
        db.Exec("RELEASE w");
      }
      db.Exec("COMMIT");
      commitNs.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c0).count());
    }
    out.seconds = Now() - t0;
    out.ops = i;
    out.opsPerS = static_cast<double>(i) / out.seconds;
    out.lat = Summarize(commitNs);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return out;
}

namespace {
// The one audit entry the server writes for an auto-assign (the set, not each user).
void OneAuditEntry(Db& db, const Id& tenant, int64_t now, int64_t assigned) {
  std::string after = std::string("{\"assigned\":") + std::to_string(assigned) +
                      ",\"firstSeq\":1,\"lastSeq\":" + std::to_string(assigned) +
                      ",\"orderId\":\"bench\",\"skuId\":\"" + kSku + "\",\"usageLocation\":\"US\"}";
  db.Prepare(
        "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, target_id, "
        "before_json, after_json) VALUES (?, ?, ?, NULL, 'license.autoAssign', 'subscription', "
        "'bench', '', ?)")
      .Blob(1, tenant)
      .Blob(2, NewV7(now))
      .Int(3, now)
      .Text(4, after)
      .Run();
}
}  // namespace

double SqliteBulkAssign(const std::string& path, const std::string& domain, int64_t n,
                        bool setBased) {
  Db db(path);
  db.Exec("PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY");
  Id tenant{};
  {
    Stmt& s = db.Prepare("SELECT tenant_id FROM domains WHERE name = ?");
    s.Text(1, domain);
    if (!s.Step()) throw std::runtime_error("no tenant with the domain " + domain);
    tenant = s.ColumnId(0);
    s.Reset();
  }
  Id sku = NewV7(UnixMs());
  int64_t now = UnixMs();
  double t0 = Now();
  db.Exec("BEGIN IMMEDIATE");
  if (setBased) {
    db.Prepare(
          "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, "
          "assigned_at, seq) SELECT u.tenant_id, u.id, ?, '', ?, ROW_NUMBER() OVER (ORDER BY "
          "u.created_at, u.id) FROM users u WHERE u.tenant_id = ? AND u.account_enabled = 1 AND "
          "NOT EXISTS (SELECT 1 FROM license_assignments a WHERE a.tenant_id = u.tenant_id AND "
          "a.user_id = u.id) ORDER BY u.created_at, u.id LIMIT ?")
        .Blob(1, sku)
        .Int(2, now)
        .Blob(3, tenant)
        .Int(4, n)
        .Run();
    int64_t done = sqlite3_changes(db.raw());
    db.Prepare(
          "INSERT INTO license_pools (tenant_id, sku_id, consumed, next_seq) VALUES (?, ?, ?, ?)")
        .Blob(1, tenant)
        .Blob(2, sku)
        .Int(3, done)
        .Int(4, done + 1)
        .Run();
    db.Prepare(
          "UPDATE users SET usage_location = 'US' WHERE tenant_id = ? AND usage_location IS NULL "
          "AND id IN (SELECT user_id FROM license_assignments WHERE tenant_id = ? AND sku_id = ?)")
        .Blob(1, tenant)
        .Blob(2, tenant)
        .Blob(3, sku)
        .Run();
    OneAuditEntry(db, tenant, now, done);
    db.Exec("COMMIT");
    return Now() - t0;
  }
  Stmt& pick = db.Prepare(
      "SELECT u.id, u.usage_location IS NULL FROM users u WHERE u.tenant_id = ? AND "
      "u.account_enabled = 1 AND NOT EXISTS (SELECT 1 FROM license_assignments a WHERE "
      "a.tenant_id = u.tenant_id AND a.user_id = u.id) ORDER BY u.created_at, u.id LIMIT ?");
  pick.Blob(1, tenant).Int(2, n);
  std::vector<std::pair<Id, bool>> users;
  while (pick.Step()) users.emplace_back(pick.ColumnId(0), pick.ColumnInt(1) != 0);
  pick.Reset();
  Stmt& ins = db.Prepare(
      "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, assigned_at, "
      "seq) VALUES (?, ?, ?, '', ?, ?)");
  Stmt& loc = db.Prepare(
      "UPDATE users SET usage_location = 'US' WHERE tenant_id = ? AND id = ? AND usage_location "
      "IS NULL");
  int64_t seq = 0;
  for (const auto& [user, noLocation] : users) {
    ins.Blob(1, tenant).Blob(2, user).Blob(3, sku).Int(4, now).Int(5, ++seq).Run();
    if (noLocation) loc.Blob(1, tenant).Blob(2, user).Run();
  }
  db.Prepare(
        "INSERT INTO license_pools (tenant_id, sku_id, consumed, next_seq) VALUES (?, ?, ?, ?)")
      .Blob(1, tenant)
      .Blob(2, sku)
      .Int(3, seq)
      .Int(4, seq + 1)
      .Run();
  OneAuditEntry(db, tenant, now, seq);
  db.Exec("COMMIT");
  return Now() - t0;
}

RawResult SqlitePaging(const std::string& path, const std::string& domain, int page,
                       double maxSeconds) {
  Db db(path, /*readonly=*/true);
  Id tenant{};
  {
    Stmt& s = db.Prepare("SELECT tenant_id FROM domains WHERE name = ?");
    s.Text(1, domain);
    if (!s.Step()) throw std::runtime_error("no tenant with the domain " + domain);
    tenant = s.ColumnId(0);
    s.Reset();
  }
  Stmt& first = db.Prepare(
      "SELECT u.tenant_id, u.id, u.upn, u.display_name, u.mail_nickname, u.usage_location, "
      "u.preferred_language, u.account_enabled, u.password_hash, u.created_at FROM users u WHERE "
      "u.tenant_id = ? ORDER BY u.id LIMIT ?");
  Stmt& next = db.Prepare(
      "SELECT u.tenant_id, u.id, u.upn, u.display_name, u.mail_nickname, u.usage_location, "
      "u.preferred_language, u.account_enabled, u.password_hash, u.created_at FROM users u WHERE "
      "u.tenant_id = ? AND u.id > ? ORDER BY u.id LIMIT ?");
  RawResult out;
  std::vector<int64_t> pageNs;
  std::optional<Id> after;
  double t0 = Now();
  size_t sink = 0;
  while (Now() - t0 < maxSeconds) {
    auto c0 = Clock::now();
    Stmt& s = after ? next : first;
    s.Blob(1, tenant);
    if (after)
      s.Blob(2, *after).Int(3, page + 1);
    else
      s.Int(2, page + 1);
    int rows = 0;
    while (rows < page && s.Step()) {
      // Read every column the server maps into a User.
      after = s.ColumnId(1);
      for (int c = 2; c <= 8; ++c) sink += s.ColumnText(c).size();
      sink += static_cast<size_t>(s.ColumnInt(9));
      ++rows;
    }
    bool more = rows == page && s.Step();
    s.Reset();
    out.ops += rows;
    pageNs.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c0).count());
    if (!more) break;
  }
  out.seconds = Now() - t0;
  out.opsPerS = static_cast<double>(out.ops) / out.seconds;
  out.lat = Summarize(pageNs);
  if (sink == 42) out.ops += 0;  // keep the reads
  return out;
}

// ---- PostgreSQL ----

namespace {

struct PgConn {
  PGconn* c = nullptr;
  explicit PgConn(const std::string& url) {
    c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c);
      PQfinish(c);
      c = nullptr;
      throw std::runtime_error("PostgreSQL: " + msg);
    }
  }
  ~PgConn() {
    if (c) PQfinish(c);
  }
  void Exec(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      throw std::runtime_error("PostgreSQL: " + err + " in " + sql.substr(0, 120));
  }
  void ExecParams(const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> v;
    for (const auto& p : params) v.push_back(p.c_str());
    PGresult* r =
        PQexecParams(c, sql, static_cast<int>(v.size()), nullptr, v.data(), nullptr, nullptr, 0);
    auto st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      throw std::runtime_error("PostgreSQL: " + err);
  }
};

std::string Bytea(const Id& id) {
  static const char* k = "0123456789abcdef";
  std::string s = "\\x";
  for (uint8_t b : id) {
    s += k[b >> 4];
    s += k[b & 15];
  }
  return s;
}

}  // namespace

RawResult PgCommitRate(const std::string& url, const std::string& schema, int threads,
                       double seconds) {
  std::string ns = "ldbench_" + std::to_string(::getpid());
  {
    PgConn admin(url);
    admin.Exec("SET client_min_messages = warning");
    admin.Exec("DROP SCHEMA IF EXISTS " + ns + " CASCADE");
    admin.Exec("CREATE SCHEMA " + ns);
    admin.Exec("SET search_path = " + ns);
    admin.Exec(schema);
  }
  std::vector<std::vector<int64_t>> lat(static_cast<size_t>(threads));
  std::atomic<int64_t> total{0};
  std::mutex errMu;
  std::string error;
  double t0 = Now() + 0.2, deadline = t0 + seconds;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      try {
        PgConn c(url);
        c.Exec("SET search_path = " + ns);
        c.Exec("SET synchronous_commit = on");
        Id tenant = NewV7(UnixMs()), sku = NewV7(UnixMs());
        c.ExecParams("INSERT INTO license_pools (tenant_id, sku_id) VALUES ($1, $2)",
                     {Bytea(tenant), Bytea(sku)});
        while (Now() < t0) std::this_thread::yield();
        int64_t i = 0;
        while (Now() < deadline) {
          auto c0 = Clock::now();
          int64_t now = UnixMs();
          Id user = NewV7(now), audit = NewV7(now);
          c.Exec("BEGIN");
          c.ExecParams(
              "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, "
              "assigned_at, seq) VALUES ($1, $2, $3, '', $4, $5)",
              {Bytea(tenant), Bytea(user), Bytea(sku), std::to_string(now), std::to_string(++i)});
          c.ExecParams(
              "UPDATE license_pools SET consumed = consumed + 1, next_seq = next_seq + 1 WHERE "
              "tenant_id = $1 AND sku_id = $2",
              {Bytea(tenant), Bytea(sku)});
          c.ExecParams(
              "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, "
              "target_id, before_json, after_json) VALUES ($1, $2, $3, NULL, 'license.assign', "
              "'user', $4, '', $5)",
              {Bytea(tenant), Bytea(audit), std::to_string(now), GuidText(user.data()),
               std::string("{\"disabledPlans\":[],\"skuId\":\"") + kSku + "\"}"});
          c.Exec("COMMIT");
          lat[static_cast<size_t>(t)].push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c0).count());
        }
        total += i;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> l(errMu);
        error = e.what();
      }
    });
  }
  for (auto& th : ts) th.join();
  double elapsed = Now() - t0;
  {
    PgConn admin(url);
    admin.Exec("SET client_min_messages = warning");
    admin.Exec("DROP SCHEMA IF EXISTS " + ns + " CASCADE");
  }
  if (!error.empty()) throw std::runtime_error(error);
  RawResult out;
  std::vector<int64_t> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  out.ops = total.load();
  out.seconds = elapsed;
  out.opsPerS = static_cast<double>(out.ops) / elapsed;
  out.lat = Summarize(all);
  return out;
}

}  // namespace ldb
