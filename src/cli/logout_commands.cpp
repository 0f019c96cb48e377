// `shipctl logout [--registry HOST]`: removes the auth-file entries that
// `shipctl login` wrote (per its records), and only those: an entry someone
// replaced since (another login, docker login) is left alone and reported.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "oci/auth_store.h"
#include "oci/login_record.h"

namespace eem::cli {

namespace {

struct LogoutFlags {
  std::string registry;  // empty: every registry login recorded
  bool json = false;
};

struct Outcome {
  std::string registry;
  std::string path;
  std::string result;  // "removed", "not present", "kept: changed since login"
};

std::string describe(oci::Removed removed) {
  switch (removed) {
    case oci::Removed::kYes: return "removed";
    case oci::Removed::kNotPresent: return "not present";
    case oci::Removed::kChanged: return "kept: changed since shipctl login";
  }
  return "";
}

util::Result<std::vector<Outcome>> logout_one(const oci::LoginRecord& record) {
  std::vector<Outcome> outcomes;
  for (const auto& file : record.files) {
    auto removed = oci::remove_auth_entry(file.path, record.registry, file.fingerprint,
                                          file.bypassed_creds_store ? oci::BypassCredsStore::kYes
                                                                    : oci::BypassCredsStore::kNo);
    if (!removed) return std::unexpected(removed.error().with_context("logging out of " + record.registry));
    outcomes.push_back({record.registry, file.path, describe(*removed)});
  }
  return outcomes;
}

void print(Context& ctx, const LogoutFlags& flags, const std::vector<Outcome>& outcomes) {
  if (flags.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& o : outcomes) list.push_back({{"registry", o.registry}, {"file", o.path}, {"result", o.result}});
    ctx.out << nlohmann::json{{"entries", list}}.dump() << '\n';
    return;
  }
  if (outcomes.empty()) {
    ctx.out << "not logged in" << (flags.registry.empty() ? "" : " to " + flags.registry)
            << " by shipctl login: nothing to remove\n";
  }
  for (const auto& o : outcomes) ctx.out << o.registry << ": " << o.path << ": " << o.result << '\n';
}

util::Result<void> logout(Context& ctx, const LogoutFlags& flags) {
  auto path = oci::login_records_path(ctx.process.env);
  if (!path) return std::unexpected(path.error());
  auto records = oci::read_login_records(*path);
  if (!records) return std::unexpected(records.error());
  std::vector<Outcome> outcomes;
  std::vector<oci::LoginRecord> kept;
  for (const auto& record : *records) {
    if (!flags.registry.empty() && record.registry != flags.registry) {
      kept.push_back(record);
      continue;
    }
    auto done = logout_one(record);
    if (!done) return std::unexpected(done.error());
    outcomes.insert(outcomes.end(), done->begin(), done->end());
  }
  if (kept.size() != records->size()) {
    if (auto written = oci::write_login_records(*path, kept); !written) return written;
  }
  print(ctx, flags, outcomes);
  return {};
}

}  // namespace

CommandSpec logout_command() {
  return {"logout", "Remove the registry logins that shipctl login wrote (and only those)",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<LogoutFlags>();
            sub.footer(
                "Reads $XDG_STATE_HOME/shipctl/logins.json (else ~/.local/state/shipctl/logins.json). An entry\n"
                "changed since the login (docker login, podman login) is kept.\n\n"
                "Examples:\n"
                "  shipctl logout\n"
                "  shipctl logout --registry 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com\n"
                "  shipctl logout --registry public.ecr.aws\n\n"
                "Exit codes: 0 ok (also when there was nothing to remove), 2 a record or auth file that is\n"
                "not what shipctl wrote (the message names it), 74 an auth file cannot be read or replaced.");
            sub.add_option("--registry", f->registry, "Only this registry host (default: every login recorded)");
            sub.add_flag("--json", f->json, "Print the result as JSON");
            sub.callback([&ctx, f] {
              auto done = logout(ctx, *f);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
