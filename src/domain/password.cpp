#include "domain/password.h"

#include <algorithm>
#include <iterator>

namespace ld {
namespace {

// Some of the most common passwords of at least the minimum length, from the
// public lists of leaked passwords (written out here, not downloaded), plus
// this product's and its demo's names. Lower case, sorted, for binary search.
// A plain array: std::array's deduction guide folds over every element, which
// exceeds clang's nesting limit at this size.
constexpr const char* kCommon[] = {
    "!qaz2wsx",      "!qaz@wsx",      "#edc4rfv",       "00000000",      "000000000",
    "0123456789",    "098765432",     "0987654321",     "11111111",      "111111111",
    "1111111111",    "11223344",      "112233445",      "1122334455",    "12121212",
    "123123123",     "123321123",     "12341234",       "12345678",      "123456789",
    "1234567890",    "12345678910",   "123456789a",     "123456789q",    "12345678a",
    "12345678q",     "1234567a",      "1234567q",       "123456ab",      "123456abc",
    "12345abc",      "1234abcd",      "1234qwer",       "123654789",     "123qweasd",
    "123qweasdzxc",  "12qwaszx",      "13131313",       "147258369",     "147852369",
    "159357852",     "159753456",     "1a2b3c4d5e",     "1q2w3e4r",      "1q2w3e4r!",
    "1q2w3e4r5t",    "1q2w3e4r5t6y",  "1qaz2wsx",       "1qaz2wsx3edc",  "1z2x3c4v",
    "456789123",     "741852963",     "789456123",      "87654321",      "963852741",
    "987654321",     "a1234567",      "a12345678",      "a1b2c3d4",      "a1s2d3f4",
    "aa123456",      "aaaaaaaa1",     "abc12345",       "abc123456",     "abc123abc",
    "abcabcabc",     "abcd1234",      "abcdefg1",       "abcdefg123",    "abcdefgh",
    "access123",     "access14",      "admin123",       "admin1234",     "admin12345",
    "admin2024",     "admin2025",     "admin2026",      "admin@123",     "adminadmin",
    "administrador", "administrator", "administrator1", "alexander",     "alexandra",
    "andrew12",      "angel123",      "angels12",       "anthony1",      "anything",
    "apple123",      "arsenal1",      "asdf1234",       "asdfasdf",      "asdfghjk",
    "asdfghjkl",     "asdfqwer",      "asdqwe123",      "autumn2024",    "autumn2025",
    "autumn2026",    "babygirl",      "babygirl1",      "bailey12",      "banana12",
    "barcelona",     "baseball",      "baseball1",      "basketball",    "batman123",
    "benjamin",      "blessed1",      "buster12",       "butterfly",     "butterfly1",
    "changeme",      "changeme1",     "changeme123",    "charlie1",      "charlie123",
    "cheese12",      "chelsea1",      "chocolate",      "christ12",      "christian",
    "christopher",   "company1",      "company123",     "company2026",   "computer",
    "computer1",     "contoso1",      "contoso123",     "cookie123",     "cooper12",
    "cowboys1",      "daniel12",      "danielle",       "december1",     "default1",
    "default123",    "dolphins",      "dragon12",       "dragon123",     "eagles12",
    "elizabeth",     "fabrikam",      "facebook",       "facebook1",     "fall2024",
    "fall2025",      "fall2026",      "february",       "flower12",      "football",
    "football1",     "football12",    "fortnite",       "freedom1",      "freedom123",
    "ginger12",      "ginger123",     "godisgood",      "goodbye1",      "goodluck",
    "google123",     "guest123",      "harley12",       "heaven12",      "hello123",
    "hello1234",     "hello1234!",    "helloworld",     "hunter12",      "hunter123",
    "ihateyou",      "iloveme1",      "iloveu123",      "iloveyou",      "iloveyou!",
    "iloveyou1",     "iloveyou2",     "internet",       "internet1",     "iphone12",
    "january1",      "jasmine1",      "jennifer",       "jennifer1",     "jessica1",
    "jesus123",      "jesuschrist",   "jonathan",       "jordan23",      "joshua12",
    "killer123",     "lakers24",      "letmein",        "letmein!",      "letmein1",
    "letmein123",    "licensedesk",   "licensedesk1",   "linux123",      "liverpool",
    "liverpool1",    "lkjhgfdsa",     "login123",       "logmein1",      "lovelove",
    "lovely12",      "loveme12",      "loveyou1",       "maggie12",      "manchester",
    "march2024",     "master12",      "master123",      "matthew1",      "michael1",
    "michelle",      "microsoft",     "microsoft1",     "minecraft",     "minecraft1",
    "mnbvcxz1",      "monday123",     "monkey12",       "monkey123",     "mustang1",
    "mypassword",    "mypassword1",   "mysecret",       "natasha1",      "newpassword",
    "nicholas",      "nintendo",      "northwind",      "nothing1",      "office123",
    "office365",     "orange12",      "p@55w0rd",       "p@ssw0rd",      "p@ssw0rd!",
    "p@ssw0rd1",     "p@ssw0rd123",   "p@ssword",       "p@ssword!",     "p@ssword1",
    "p@ssword123",   "pa55w0rd",      "pa55word",       "packers1",      "pass1234",
    "pass12345",     "pass123456",    "pass@123",       "pass@1234",     "pass@word1",
    "pass_word",     "passpass",      "passw0rd",       "passw0rd!",     "passw0rd1",
    "passw0rd123",   "password",      "password!",      "password#1",    "password$",
    "password01",    "password1",     "password1!",     "password12",    "password123",
    "password123!",  "password123#",  "password1234",   "password12345", "password2",
    "password3",     "password99",    "password@123",   "patricia",      "pepper12",
    "playstation",   "poiuytrewq",    "pokemon123",     "princess",      "princess1",
    "pussycat1",     "q1q1q1q1",      "q1w2e3r4",       "q1w2e3r4t5",    "qaz12345",
    "qazwsxedc",     "qazwsxedc123",  "qweasd123",      "qweasdzxc",     "qwer1234",
    "qwerty!@#",     "qwerty12",      "qwerty12!",      "qwerty123",     "qwerty1234",
    "qwerty123456",  "qwertyqwerty",  "qwertyui",       "qwertyuiop",    "qwertyuiop123",
    "rainbow1",      "rainbow123",    "ranger12",       "richard1",      "robert12",
    "roblox123",     "rockstar1",     "root1234",       "rootroot",      "samantha",
    "samsung1",      "samsung123",    "secret12",       "secret123",     "shadow123",
    "soccer123",     "something",     "spiderman",      "spring2024",    "spring2025",
    "spring2026",    "starwars",      "starwars1",      "steelers",      "stephanie",
    "summer2024",    "summer2025",    "summer2026",     "sunday12",      "sunflower",
    "sunshine",      "sunshine1",     "superman",       "superman1",     "superstar",
    "sweetheart",    "sweetie1",      "temp1234",       "temporary",     "test1234",
    "test12345",     "testing1",      "testing123",     "testtest",      "thomas12",
    "tigger12",      "tigger123",     "toor1234",       "trustno1",      "trustno12",
    "twitter1",      "ubuntu123",     "unknown1",       "user1234",      "username",
    "usernames",     "victoria",      "welcome",        "welcome!",      "welcome1",
    "welcome1!",     "welcome123",    "welcome2024",    "welcome2025",   "welcome2026",
    "whatever",      "whatever!",     "whatever1",      "william1",      "windows1",
    "windows10",     "windows11",     "winter2024",     "winter2025",    "winter2026",
    "wsx12345",      "xbox360",       "yankees1",       "youtube1",      "z1x2c3v4",
    "zaq12wsx",      "zaq1xsw2",      "zaq1zaq1",       "zxc12345",      "zxcvasdf",
    "zxcvbnm1",      "zxcvbnm123",    "zxcvbnmm",
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  std::string l = Lower(password);
  return std::binary_search(std::begin(kCommon), std::end(kCommon), std::string_view(l),
                            [](std::string_view a, std::string_view b) { return a < b; });
}

std::optional<PasswordProblem> CheckPassword(std::string_view pw) {
  if (pw.size() < kMinPasswordLength || pw.size() > kMaxPasswordLength)
    return PasswordProblem{"InvalidPassword", "The password must have 8 to 256 characters."};
  if (pw.find_first_not_of(pw[0]) == std::string_view::npos)
    return PasswordProblem{"InvalidPassword", "The password must not repeat one character."};
  if (IsCommonPassword(pw))
    return PasswordProblem{"PasswordTooCommon",
                           "The password is one of the most common passwords; choose another."};
  return std::nullopt;
}

}  // namespace ld
