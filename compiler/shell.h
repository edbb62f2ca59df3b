// Shell safety: the one place where values from files become command text.
// Every value substituted into a platform command is first checked to be a safe
// token and then single-quoted, so a version or a name can never become a second
// command on a production firewall.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace harc {

// Names of clusters, members, components, settings, waves, platforms:
// [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
bool IsSafeIdentifier(std::string_view s);

// Values (versions, setting values, hosts, users): 1..256 characters from
// [A-Za-z0-9_.:@/+=,%~-], not starting with '-' or '~'. Enough for "R81.20_T89",
// "10.1.0.11", "fe80::1%eth0", "2.4.1-1+deb12u1", "2.2.7-1~bpo12+1".
bool IsSafeValue(std::string_view s);

// POSIX single-quoting: abc -> 'abc', it's -> 'it'\''s'.
std::string ShellQuote(std::string_view s);

// Replaces each {name} in tmpl by ShellQuote(vars[name]). "{{" and "}}" are
// literal braces. Returns false, with *error naming the placeholder, when a
// placeholder has no value, a value is not IsSafeValue, or a brace is unmatched.
bool RenderCommand(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                   std::string* out, std::string* error);

// Like RenderCommand but substitutes raw (unquoted) values: for conditions such
// as until = { fact = "version.{component}", is = "{version}" }.
bool RenderText(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                std::string* out, std::string* error);

}  // namespace harc
