#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "util/build_info.h"

namespace eem::cli {

CommandSpec version_command() {
  return {"version", "Print the version, commit and build time",
          [](CLI::App& sub, Context& ctx) {
            auto json = std::make_shared<bool>(false);
            sub.add_flag("--json", *json, "Print as JSON");
            sub.footer(R"(
Examples:
  shipctl version
  shipctl version --json | jq -r .commit   # the commit this binary was built from

Exit codes: 0 ok)");
            sub.callback([&ctx, json] {
              const auto& info = util::build_info();
              if (*json) {
                ctx.out << nlohmann::json{{"version", info.version},
                                          {"commit", info.commit},
                                          {"build_time", info.build_time}}
                               .dump()
                        << '\n';
              } else {
                ctx.out << "shipctl " << info.version << "\ncommit " << info.commit
                        << "\nbuilt " << info.build_time << '\n';
              }
              ctx.exit_code = 0;
            });
          }};
}

}  // namespace eem::cli
