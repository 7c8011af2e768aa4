#include "cli/invoice_pdf_adapter.h"

#include "http/render.h"
#include "pdf/invoice_pdf.h"

namespace ld::cli {

http::InvoicePdfRenderer MakeInvoicePdfRenderer() {
  return [](const http::InvoicePdfInput& in) {
    const Invoice& inv = in.invoice;
    pdf::InvoiceDoc doc;
    doc.locale = in.locale;
    doc.number = http::InvoiceNumber(inv.number);
    doc.kind = inv.kind == InvoiceKind::kCreditNote ? "credit_note" : "invoice";
    doc.issuedDate = FormatDate(inv.issuedAt);
    doc.dueDate = inv.dueAt > 0 ? FormatDate(inv.dueAt) : std::string();
    doc.sellerName = in.sellerName;
    doc.sellerAddress = in.sellerAddress;
    doc.buyerName = in.buyer.displayName;
    doc.buyerCountry = in.buyer.country;
    doc.buyerTenantId = in.buyer.id.str();
    doc.currency = inv.currency;
    doc.taxRateBp = in.taxRateBp;
    for (size_t i = 0; i < inv.lines.size(); ++i) {
      const InvoiceLine& l = inv.lines[i];
      pdf::InvoiceLine pl;
      pl.description = i < in.lineNames.size() ? in.lineNames[i] : l.description;
      pl.quantity = l.quantity;
      pl.unitPriceMinor = l.unitPrice;
      pl.amountMinor = l.amount;
      pl.taxMinor = l.tax;
      if (l.periodStart > 0 && l.periodEnd > l.periodStart)
        pl.period = FormatDate(l.periodStart) + " \u2013 " + FormatDate(l.periodEnd - 1);
      doc.lines.push_back(std::move(pl));
    }
    doc.subtotalMinor = inv.subtotal;
    doc.taxMinor = inv.tax;
    doc.totalMinor = inv.total;
    doc.paymentStatus = std::string(ToString(inv.paymentStatus));
    doc.orderId = inv.orderId ? inv.orderId->str() : std::string();
    return pdf::RenderInvoicePdf(doc);
  };
}

}  // namespace ld::cli
