#pragma once
// GitHub Actions filter patterns for `branches:` and `tags:` (GitHub docs
// "Workflow syntax for GitHub Actions", section "Filter pattern cheat
// sheet"; the same reading as nektos/act's pkg/workflowpattern):
//   *   zero or more characters, but not '/'
//   **  zero or more of any character ("**/" also matches nothing)
//   ?   zero or one of the preceding character
//   +   one or more of the preceding character
//   []  one character listed or in a range (a-z, A-Z, 0-9)
//   \   the next character literally
//   !   first in a pattern of a list: excludes what earlier patterns matched

#include <string>
#include <string_view>
#include <vector>

namespace eem::audit {

// Whether the ref name `name` (a branch or tag, without refs/heads/) matches
// one `pattern` (no leading '!'). A malformed pattern (an unclosed '[')
// matches nothing, as GitHub rejects the workflow.
bool filter_match(std::string_view pattern, std::string_view name);

// GitHub's reading of a `branches:`/`tags:` list: the last pattern that
// matches `name` decides, a '!' pattern excluding it.
bool filter_list_match(const std::vector<std::string>& patterns, std::string_view name);

// A ref name `pattern` matches, to predict a run: '*' and '**' become "x",
// '?' drops its character, '[...]' its first character ("release/x" for
// "release/**"). The pattern itself when it has no special character.
std::string filter_example(std::string_view pattern);

// Whether `pattern` has a special character (is not one exact name).
bool filter_is_glob(std::string_view pattern);

// An IAM StringLike pattern admitting at least every name `pattern` matches:
// '*' and '**' become '*', a character with '?' or '+' and a class become '*'
// too. `exact` is set false when the IAM pattern admits more than that.
std::string filter_to_iam(std::string_view pattern, bool& exact);

}  // namespace eem::audit
