#include "ledger/note.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "testing/testdata.h"

namespace entente::ledger {
namespace {

// ---- The examples of golang.org/x/mod/sumdb/note (note.go package documentation and
// note_test.go: TestNewVerifier, TestSign, TestVerifierList, TestOpen), byte for byte ----

constexpr std::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
// The key material of the published signer key
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz":
// base64(0x01 || Ed25519 seed).
constexpr std::string_view kPeterSkeyMaterial = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSig =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochSig =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

std::string S(std::string_view s) { return std::string(s); }

Verifier Peter() { return Verifier::Parse(kPeterVkey).value(); }
Verifier Enoch() { return Verifier::Parse(kEnochVkey).value(); }

crypto::SigningKey PeterKey() {
  Bytes material = Base64Decode(kPeterSkeyMaterial).value();
  EXPECT_EQ(material.size(), 33u);
  EXPECT_EQ(material[0], 0x01);
  return crypto::SigningKey::FromSeed(ByteView(material).subspan(1)).value();
}

// Returns S(kPeterSig) with `insert` spliced in at byte `at`.
std::string Spliced(std::string_view line, size_t at, std::string_view insert) {
  return S(line.substr(0, at)) + S(insert) + S(line.substr(at));
}

TEST(GoNoteVectors, VerifierKeyParsesAndRoundTrips) {
  Verifier peter = Peter();
  EXPECT_EQ(peter.name(), "PeterNeumann");
  EXPECT_EQ(peter.key_id(), KeyId(0xc74f20a3));
  EXPECT_EQ(peter.type(), NoteKeyType::kEd25519);
  EXPECT_EQ(peter.ToString(), kPeterVkey);
  EXPECT_EQ(ComputeKeyId("PeterNeumann", NoteKeyType::kEd25519, peter.public_key()),
            KeyId(0xc74f20a3));
  EXPECT_EQ(Enoch().key_id(), KeyId(0xaf0cfe78));
  EXPECT_EQ(Enoch().ToString(), kEnochVkey);
  // The published signer key is the private half of the published verifier key.
  EXPECT_EQ(PeterKey().public_key(), peter.public_key());
}

TEST(GoNoteVectors, VerifierKeyManglingsAreRejected) {
  // TestNewVerifier: every proper substring, and every single byte incremented.
  const std::string vkey = S(kPeterVkey);
  int rejected = 0;
  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_FALSE(Verifier::Parse(vkey.substr(i, j - i)).has_value()) << vkey.substr(i, j - i);
      ++rejected;
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string b = vkey;
    ++b[i];
    EXPECT_FALSE(Verifier::Parse(b).has_value()) << b;
  }
  // Wrong key length and unknown algorithm, each with a matching key id.
  EXPECT_FALSE(Verifier::Parse("PeterNeumann+cc469956+"
                               "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                   .has_value());
  auto unknown =
      Verifier::Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().message(), "verifier key: unknown key type 101");
  // Our key ids are lowercase, as every implementation writes them.
  EXPECT_FALSE(Verifier::Parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                   .has_value());
  EXPECT_GT(rejected, 2000);
}

TEST(GoNoteVectors, SignReproducesThePublishedNote) {
  // TestSign.
  crypto::SigningKey key = PeterKey();
  std::string want = S(kText) + "\n" + S(kPeterSig);
  EXPECT_EQ(SignNote(kText, "PeterNeumann", key).value(), want);
  NoteSignature sig = SignNoteText(kText, "PeterNeumann", key).value();
  EXPECT_EQ(sig.key_id, KeyId(0xc74f20a3));
  EXPECT_EQ(sig.Line(), kPeterSig);
  // A text that does not end in a newline, or a bad signer name, is refused.
  EXPECT_EQ(SignNote("abc", "PeterNeumann", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SignNote(kText, "bad name", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SignNote(kText, "a+b", key).error().code(), ErrorCode::kInvalidArgument);
}

TEST(GoNoteVectors, OpenVerifiesKnownAndKeepsUnknownSignatures) {
  // TestOpen: one signature verified, one not.
  const std::string both = S(kText) + "\n" + S(kPeterSig) + S(kEnochSig);
  std::vector<Verifier> only_peter = {Peter()};
  OpenedNote n = OpenNote(both, only_peter).value();
  EXPECT_EQ(n.text, kText);
  ASSERT_EQ(n.verified.size(), 1u);
  EXPECT_EQ(n.verified[0].name, "PeterNeumann");
  EXPECT_EQ(n.verified[0].key_id, KeyId(0xc74f20a3));
  EXPECT_EQ(n.verified[0].Line(), kPeterSig);
  ASSERT_EQ(n.unverified.size(), 1u);
  EXPECT_EQ(n.unverified[0].Line(), kEnochSig);

  // Both verified.
  std::vector<Verifier> both_keys = {Peter(), Enoch()};
  n = OpenNote(both, both_keys).value();
  ASSERT_EQ(n.verified.size(), 2u);
  EXPECT_EQ(n.verified[1].key_id, KeyId(0xaf0cfe78));
  EXPECT_TRUE(n.unverified.empty());

  // Neither known: rejected.
  auto none = OpenNote(both, {});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(none.error().message(), "note has no signature by a known key");

  // A verifier listed twice is ambiguous when used, and harmless when not.
  std::vector<Verifier> enoch_twice = {Enoch(), Peter(), Enoch()};
  auto ambiguous = OpenNote(S(kText) + "\n" + S(kEnochSig), enoch_twice);
  ASSERT_FALSE(ambiguous.has_value());
  EXPECT_EQ(ambiguous.error().message(), "ambiguous key EnochRoot+af0cfe78");
  EXPECT_TRUE(OpenNote(S(kText) + "\n" + S(kPeterSig), enoch_twice).has_value());

  // Too many signatures.
  std::string many = S(kText) + "\n";
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  EXPECT_FALSE(OpenNote(many, only_peter).has_value());
  EXPECT_FALSE(OpenNote(many, {}).has_value());

  // An invalid signature by a known key rejects the note.
  auto invalid = OpenNote(S(kText) + "\n" + Spliced(kPeterSig, 60, "ABCD"), only_peter);
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(invalid.error().message(), "invalid signature for key PeterNeumann+c74f20a3");

  // Repeated signatures: verified once; identical unknown ones once; a bad unknown one kept.
  std::string enoch_abcd = Spliced(kEnochSig, 60, "ABCD");
  n = OpenNote(
          S(kText) + "\n" + S(kPeterSig) + S(kPeterSig) + S(kEnochSig) + S(kEnochSig) + enoch_abcd,
          only_peter)
          .value();
  ASSERT_EQ(n.verified.size(), 1u);
  ASSERT_EQ(n.unverified.size(), 2u);
  EXPECT_EQ(n.unverified[0].Line(), kEnochSig);
  EXPECT_EQ(n.unverified[1].Line(), enoch_abcd);

  // Malformed notes.
  const std::string bad[] = {
      S(kText),
      S(kText) + "\n",
      S(kText) + "\n" + S(kPeterSig.substr(0, kPeterSig.size() - 1)),
      "\x01" + S(kText) + "\n" + S(kPeterSig),
      "\xff" + S(kText) + "\n" + S(kPeterSig),
      S(kText) + "\n" +
          "\xE2\x80\x94 Bad Name "
          "x08go/ZJkuBS9UG/"
          "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
      S(kText) + "\n" + S(kPeterSig) + "Unexpected line.\n",
  };
  for (const std::string& msg : bad) {
    auto r = OpenNote(msg, only_peter);
    ASSERT_FALSE(r.has_value()) << msg;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << msg;
  }
}

// ---- The C2SP examples (signed-note, tlog-checkpoint, tlog-cosignature), parsed ----

TEST(C2spNoteExamples, ParseAndReencode) {
  // c2sp.org/signed-note: the text holds a blank line; the last one separates the signatures.
  const std::string poem =
      "Ognuno sta solo sul cuor della terra\n"
      "trafitto da un raggio di sole:\n"
      "\n"
      "ed \xC3\xA8 subito sera.\n"
      "\n"
      "\xE2\x80\x94 quasimodo.example/salvatore "
      "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
      "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
  Note note = Note::Parse(poem).value();
  EXPECT_EQ(note.text, poem.substr(0, poem.find("\n\n\xE2") + 1));
  ASSERT_EQ(note.signatures.size(), 1u);
  EXPECT_EQ(note.signatures[0].name, "quasimodo.example/salvatore");
  EXPECT_EQ(note.signatures[0].signature.size(), 64u);
  EXPECT_EQ(note.Encode().value(), poem);

  // c2sp.org/tlog-cosignature: a checkpoint with the log's signature and a cosignature whose
  // timestamp is the one of the spec's signed-message example ("time 1679315147").
  const std::string checkpoint =
      "example.com/behind-the-sofa\n"
      "20852163\n"
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "\n"
      "\xE2\x80\x94 example.com/behind-the-sofa "
      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
      "\xE2\x80\x94 witness.example.com/w1 "
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
      "mbIUBkBIfZ+qnA==\n";
  Note cosigned = Note::Parse(checkpoint).value();
  EXPECT_EQ(cosigned.Encode().value(), checkpoint);
  Checkpoint cp = Checkpoint::Parse(cosigned.text).value();
  EXPECT_EQ(cp.origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp.size, TreeSize(20852163));
  EXPECT_EQ(Base64Encode(cp.root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(cp.extensions.empty());
  EXPECT_EQ(cp.Text().value(), cosigned.text);
  ASSERT_EQ(cosigned.signatures.size(), 2u);
  EXPECT_EQ(CosignatureTimestamp(cosigned.signatures[1]).value(), 1679315147u);
  EXPECT_FALSE(CosignatureTimestamp(cosigned.signatures[0]).has_value());  // 64 bytes, not 72
}

// ---- Our rules, and the errors a user sees ----

TEST(NoteKeyName, RulesOfTheSpec) {
  for (std::string_view good : {"PeterNeumann", "entente/00112233445566778899aabbccddeeff/USA",
                                "\xC3\xBCnic\xC3\xB6"
                                "de",
                                "oid/1.3.6.1"}) {
    EXPECT_TRUE(CheckKeyName(good).has_value()) << good;
  }
  for (std::string_view bad :
       {std::string_view(""), std::string_view("a b"), std::string_view("a+b"),
        std::string_view("a\tb"),
        std::string_view("a\xC2\xA0"
                         "b"),  // NO-BREAK SPACE
        std::string_view("a\xE3\x80\x80"
                         "b"),  // IDEOGRAPHIC SPACE
        std::string_view("a\xE2\x80\xA8"
                         "b"),                                     // LINE SEPARATOR
        std::string_view("a\xff"), std::string_view("a\xC0\xAF"),  // invalid, overlong
        std::string_view("a\xED\xA0\x80"),                         // surrogate
        std::string_view("a\x01"), std::string_view("a\x7f")}) {
    EXPECT_FALSE(CheckKeyName(bad).has_value()) << bad;
  }
  EXPECT_TRUE(CheckKeyName(std::string(255, 'a')).has_value());
  EXPECT_FALSE(CheckKeyName(std::string(256, 'a')).has_value());
}

TEST(NoteParse, RejectsMalformedNotesWithReasons) {
  const std::string good = S(kText) + "\n" + S(kPeterSig);
  ASSERT_TRUE(Note::Parse(good).has_value());
  auto message = [](std::string_view note) {
    auto r = Note::Parse(note);
    return r.has_value() ? std::string("accepted") : r.error().ToString();
  };
  EXPECT_EQ(message(good.substr(0, good.size() - 1)),
            "invalid_argument: malformed note: does not end in a newline");
  EXPECT_EQ(message("just text\n"),
            "invalid_argument: malformed note: no blank line before the signatures");
  EXPECT_EQ(message(S(kText) + "\n"), "invalid_argument: malformed note: no signature lines");
  EXPECT_EQ(
      message(S(kText) + "\n- PeterNeumann AAAAAAAA\n"),
      "invalid_argument: malformed note: signature line 1 does not start with \"\xE2\x80\x94 \"");
  EXPECT_EQ(message(S(kText) + "\n\xE2\x80\x94 PeterNeumann\n"),
            "invalid_argument: malformed note: signature line 1 is not \"<name> <signature>\"");
  // Base64 that is not canonical (non-zero trailing bits), or too short for key id + signature.
  EXPECT_EQ(
      message(S(kText) + "\n\xE2\x80\x94 PeterNeumann AAAAAAB=\n"),
      "invalid_argument: malformed note: signature line 1: signature is not canonical base64");
  EXPECT_EQ(message(S(kText) + "\n\xE2\x80\x94 PeterNeumann AAAAAA==\n"),
            "invalid_argument: malformed note: signature line 1: signature too short");
  EXPECT_EQ(message(S(kText) + "\n\xE2\x80\x94 a+b AAAAAAAA\n"),
            "invalid_argument: malformed note: signature line 1: key name contains \"+\"");
  // Characters.
  EXPECT_EQ(message("a\rb\n\n" + S(kPeterSig)),
            "invalid_argument: malformed note: control character at byte 1");
  EXPECT_EQ(message("a\xC3\n\n" + S(kPeterSig)),
            "invalid_argument: malformed note: invalid UTF-8 at byte 1");
  // Limits.
  std::string long_line = std::string(kMaxNoteLineLength + 1, 'x') + "\n\n" + S(kPeterSig);
  EXPECT_EQ(Note::Parse(long_line).error().code(), ErrorCode::kResourceExhausted);
  std::string many = S(kText) + "\n";
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  auto too_many = Note::Parse(many);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().ToString(), "resource_exhausted: note has more than 100 signatures");
  std::string hundred = S(kText) + "\n";
  for (int i = 0; i < 100; ++i) hundred += kPeterSig;
  EXPECT_TRUE(Note::Parse(hundred).has_value());
  std::string huge;
  while (huge.size() <= kMaxNoteSize) huge += std::string(100, 'y') + "\n";
  EXPECT_EQ(Note::Parse(huge + "\n" + S(kPeterSig)).error().code(), ErrorCode::kResourceExhausted);
}

TEST(NoteEncode, RoundTripsAndRefusesWhatParseWouldReject) {
  Note note = Note::Parse(S(kText) + "\n" + S(kPeterSig) + S(kEnochSig)).value();
  EXPECT_EQ(note.Encode().value(), S(kText) + "\n" + S(kPeterSig) + S(kEnochSig));
  EXPECT_EQ(Note::Parse(note.Encode().value()).value(), note);
  Note no_sigs{S(kText), {}};
  EXPECT_EQ(no_sigs.Encode().error().message(), "note has no signature");
  Note no_newline{"abc", note.signatures};
  EXPECT_FALSE(no_newline.Encode().has_value());
  Note bad_name = note;
  bad_name.signatures[0].name = "two words";
  EXPECT_FALSE(bad_name.Encode().has_value());
  Note control{"a\x1b[31m\n", note.signatures};
  EXPECT_FALSE(control.Encode().has_value());
}

// ---- Checkpoints ----

const std::array<uint8_t, 16> kSpace = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

Checkpoint TestCheckpoint(std::string_view partner = "USA") {
  Checkpoint cp;
  cp.origin = EntenteOrigin(kSpace, partner).value();
  cp.size = TreeSize(1000);
  cp.root = HashLeaf(AsBytes("not a real root"));
  return cp;
}

TEST(Checkpoint, TextRoundTripsAndParseRejectsNonCanonicalForms) {
  Checkpoint cp = TestCheckpoint();
  cp.extensions = {"ext one", "ext two"};
  std::string text = cp.Text().value();
  EXPECT_EQ(text, "entente/00112233445566778899aabbccddeeff/USA\n1000\n" + Base64Encode(cp.root) +
                      "\next one\next two\n");
  EXPECT_EQ(Checkpoint::Parse(text).value(), cp);

  const std::string root = Base64Encode(cp.root);
  const std::string empty_root = Base64Encode(EmptyTreeRoot());
  auto error = [](std::string_view t) {
    auto r = Checkpoint::Parse(t);
    return r.has_value() ? std::string("accepted") : r.error().message();
  };
  EXPECT_EQ(error("o\n1\n" + root), "checkpoint must end in a newline");
  EXPECT_EQ(error("o\n1\n"), "checkpoint must have at least three lines");
  EXPECT_EQ(error("o\n\n" + root + "\n"), "checkpoint line 2 is empty");
  EXPECT_EQ(error("o\n1\n" + root + "\n\n"), "checkpoint line 4 is empty");
  EXPECT_EQ(error("o\n007\n" + root + "\n"),
            "checkpoint tree size \"007\" is not a decimal without leading zeros");
  EXPECT_EQ(error("o\n-1\n" + root + "\n"),
            "checkpoint tree size \"-1\" is not a decimal without leading zeros");
  EXPECT_EQ(error("o\n+1\n" + root + "\n"),
            "checkpoint tree size \"+1\" is not a decimal without leading zeros");
  EXPECT_EQ(error("o\n18446744073709551616\n" + root + "\n"),
            "checkpoint tree size \"18446744073709551616\" is not a decimal without leading zeros");
  EXPECT_EQ(error("o\n18446744073709551615\n" + root + "\n"), "accepted");
  EXPECT_EQ(error("o\n1\nAAAA\n"), "checkpoint root hash is not canonical base64 of 32 bytes");
  EXPECT_EQ(error("o\n1\n" + root.substr(0, 42) + "=\n"),
            "checkpoint root hash is not canonical base64 of 32 bytes");
  // A tree of size 0 has exactly one root.
  EXPECT_EQ(error("o\n0\n" + empty_root + "\n"), "accepted");
  EXPECT_EQ(error("o\n0\n" + root + "\n"),
            "checkpoint of an empty tree must have root SHA-256(\"\")");
  EXPECT_EQ(error(std::string(256, 'o') + "\n1\n" + root + "\n"),
            "checkpoint origin is longer than 255 bytes");
  EXPECT_EQ(error("o\x7f\n1\n" + root + "\n"), "accepted");  // DEL is not a C0 control

  Checkpoint bad = cp;
  bad.extensions = {""};
  EXPECT_FALSE(bad.Text().has_value());
  bad = cp;
  bad.origin = "two\nlines";
  EXPECT_FALSE(bad.Text().has_value());
  bad = cp;
  bad.size = TreeSize(0);
  EXPECT_FALSE(bad.Text().has_value());
}

TEST(Checkpoint, EntenteOrigin) {
  EXPECT_EQ(EntenteOrigin(kSpace, "KOR").value(), "entente/00112233445566778899aabbccddeeff/KOR");
  EntenteOriginParts parts =
      ParseEntenteOrigin("entente/00112233445566778899aabbccddeeff/KOR").value();
  EXPECT_EQ(parts.space_id, kSpace);
  EXPECT_EQ(parts.partner, "KOR");
  EXPECT_FALSE(EntenteOrigin(ByteView(kSpace).first(15), "KOR").has_value());
  EXPECT_FALSE(EntenteOrigin(kSpace, "").has_value());
  EXPECT_FALSE(EntenteOrigin(kSpace, "K R").has_value());
  EXPECT_FALSE(EntenteOrigin(kSpace, "KOR/X").has_value());
  EXPECT_FALSE(EntenteOrigin(kSpace, std::string(64, 'A')).has_value());
  for (std::string_view bad :
       {"entente/00112233445566778899AABBCCDDEEFF/KOR", "entente/0011/KOR",
        "entente/00112233445566778899aabbccddeeff/", "entente/00112233445566778899aabbccddeeff",
        "example.com/00112233445566778899aabbccddeeff/KOR",
        "entente/00112233445566778899aabbccddeeff/KOR/x"}) {
    EXPECT_FALSE(ParseEntenteOrigin(bad).has_value()) << bad;
  }
}

struct Keys {
  crypto::SigningKey log = crypto::SigningKey::Generate();
  crypto::SigningKey kor = crypto::SigningKey::Generate();
  crypto::SigningKey gbr = crypto::SigningKey::Generate();
  std::string kor_name = EntenteOrigin(kSpace, "KOR").value();
  std::string gbr_name = EntenteOrigin(kSpace, "GBR").value();
  Verifier LogVerifier() const {
    return Verifier::Create(EntenteOrigin(kSpace, "USA").value(), NoteKeyType::kEd25519,
                            log.public_key())
        .value();
  }
  Verifier Kor() const {
    return Verifier::Create(kor_name, NoteKeyType::kCosignatureV1, kor.public_key()).value();
  }
  Verifier Gbr() const {
    return Verifier::Create(gbr_name, NoteKeyType::kCosignatureV1, gbr.public_key()).value();
  }
};

TEST(Checkpoint, SignCosignAndOpen) {
  Keys keys;
  Checkpoint cp = TestCheckpoint();
  std::string signed_cp = SignCheckpoint(cp, keys.log).value();
  EXPECT_TRUE(signed_cp.starts_with(cp.Text().value() + "\n\xE2\x80\x94 " + cp.origin + " "));

  // Signed by the log only: opens with no cosigners required, not with one.
  VerifiedCheckpoint opened = OpenCheckpoint(signed_cp, keys.LogVerifier(), {}).value();
  EXPECT_EQ(opened.checkpoint, cp);
  EXPECT_TRUE(opened.cosignatures.empty());
  std::vector<Verifier> both = {keys.Kor(), keys.Gbr()};
  auto missing = OpenCheckpoint(signed_cp, keys.LogVerifier(), both);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(missing.error().message(),
            "checkpoint lacks a cosignature by " + keys.kor_name + "+" +
                keys.Kor().ToString().substr(keys.kor_name.size() + 1, 8));

  // Cosigned by both partners.
  std::string cosigned = CosignCheckpoint(signed_cp, keys.kor_name, keys.kor, 1767225600).value();
  cosigned = CosignCheckpoint(cosigned, keys.gbr_name, keys.gbr, 1767225601).value();
  opened = OpenCheckpoint(cosigned, keys.LogVerifier(), both).value();
  ASSERT_EQ(opened.cosignatures.size(), 2u);
  EXPECT_EQ(opened.cosignatures[0].name, keys.kor_name);
  EXPECT_EQ(opened.cosignatures[0].key_id, keys.Kor().key_id());
  EXPECT_EQ(opened.cosignatures[0].timestamp, 1767225600u);
  EXPECT_EQ(opened.cosignatures[1].timestamp, 1767225601u);

  // Cosigning again replaces the earlier cosignature by the same key.
  std::string again = CosignCheckpoint(cosigned, keys.kor_name, keys.kor, 1767225700).value();
  Note again_note = Note::Parse(again).value();
  EXPECT_EQ(again_note.signatures.size(), 3u);
  EXPECT_EQ(OpenCheckpoint(again, keys.LogVerifier(), both).value().cosignatures[0].timestamp,
            1767225700u);

  // A signature by a key nobody configured is ignored.
  crypto::SigningKey stranger = crypto::SigningKey::Generate();
  std::string with_stranger = CosignCheckpoint(cosigned, "stranger.example", stranger, 1).value();
  EXPECT_TRUE(OpenCheckpoint(with_stranger, keys.LogVerifier(), both).has_value());
  // ...even one that claims a configured name with another key (its key id differs).
  std::string impostor = CosignCheckpoint(signed_cp, keys.kor_name, stranger, 1).value();
  auto fooled = OpenCheckpoint(impostor, keys.LogVerifier(), std::vector<Verifier>{keys.Kor()});
  ASSERT_FALSE(fooled.has_value());
  EXPECT_EQ(fooled.error().code(), ErrorCode::kUnauthenticated);

  // Wrong log key: nothing verifies.
  Keys other;
  auto wrong_log = OpenCheckpoint(cosigned, other.LogVerifier(), {});
  ASSERT_FALSE(wrong_log.has_value());
  EXPECT_EQ(wrong_log.error().code(), ErrorCode::kUnauthenticated);
  // Cosigned, but the log signature is gone.
  Note no_log = Note::Parse(cosigned).value();
  no_log.signatures.erase(no_log.signatures.begin());
  auto unsigned_cp = OpenCheckpoint(no_log.Encode().value(), keys.LogVerifier(), both);
  ASSERT_FALSE(unsigned_cp.has_value());
  EXPECT_EQ(unsigned_cp.error().code(), ErrorCode::kUnauthenticated);

  // Any change to the checkpoint text breaks every signature on it.
  std::string tampered = cosigned;
  tampered.replace(tampered.find("\n1000\n"), 6, "\n1001\n");
  auto bad = OpenCheckpoint(tampered, keys.LogVerifier(), both);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(bad.error().message().starts_with("invalid signature for key "));

  // Verifiers of the wrong type, and an origin that is not the log key's name.
  auto wrong_type = OpenCheckpoint(cosigned, keys.Kor(), {});
  EXPECT_EQ(wrong_type.error().code(), ErrorCode::kInvalidArgument);
  std::vector<Verifier> log_as_cosigner = {keys.LogVerifier()};
  EXPECT_EQ(OpenCheckpoint(cosigned, keys.LogVerifier(), log_as_cosigner).error().code(),
            ErrorCode::kInvalidArgument);
  Checkpoint elsewhere = cp;
  elsewhere.origin = "example.com/log";
  Verifier elsewhere_log = Verifier::Create("entente/00112233445566778899aabbccddeeff/USA",
                                            NoteKeyType::kEd25519, keys.log.public_key())
                               .value();
  std::string mislabelled =
      Note{elsewhere.Text().value(),
           {SignNoteText(elsewhere.Text().value(), elsewhere_log.name(), keys.log).value()}}
          .Encode()
          .value();
  auto mismatch = OpenCheckpoint(mislabelled, elsewhere_log, {});
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().message(),
            "checkpoint origin \"example.com/log\" is not the log key name \"" +
                elsewhere_log.name() + "\"");

  // Cosigning refuses timestamps beyond 2^63 - 1 and bad names.
  EXPECT_FALSE(Cosign(cp, keys.kor_name, keys.kor, uint64_t{1} << 63).has_value());
  EXPECT_TRUE(Cosign(cp, keys.kor_name, keys.kor, (uint64_t{1} << 63) - 1).has_value());
  EXPECT_FALSE(Cosign(cp, "bad name", keys.kor, 1).has_value());
}

TEST(Cosignature, SignedMessageIsTheTlogCosignatureOne) {
  Keys keys;
  Checkpoint cp = TestCheckpoint();
  NoteSignature sig = Cosign(cp, keys.kor_name, keys.kor, 1679315147).value();
  ASSERT_EQ(sig.signature.size(), 72u);
  // uint64 big-endian timestamp, then the Ed25519 signature of the cosigned message.
  EXPECT_EQ(HexEncode(ByteView(sig.signature).first(8)), "00000000641850cb");
  std::string message = "cosignature/v1\ntime 1679315147\n" + cp.Text().value();
  EXPECT_TRUE(keys.kor.public_key()
                  .Verify(crypto::Domain::SignedNote(), AsBytes(message),
                          ByteView(sig.signature).subspan(8))
                  .has_value());
  // The key id commits to type 0x04, so it differs from the same key's 0x01 id.
  EXPECT_EQ(sig.key_id,
            ComputeKeyId(keys.kor_name, NoteKeyType::kCosignatureV1, keys.kor.public_key()));
  EXPECT_NE(sig.key_id, ComputeKeyId(keys.kor_name, NoteKeyType::kEd25519, keys.kor.public_key()));
  // A cosignature does not verify as a plain signature, nor the reverse.
  Verifier as_ed25519 =
      Verifier::Create(keys.kor_name, NoteKeyType::kEd25519, keys.kor.public_key()).value();
  EXPECT_FALSE(
      as_ed25519.Verify(cp.Text().value(), ByteView(sig.signature).subspan(8)).has_value());
  EXPECT_TRUE(keys.Kor().Verify(cp.Text().value(), sig.signature).has_value());
  Bytes future = sig.signature;
  future[7] ^= 1;  // another timestamp: the signature no longer covers it
  EXPECT_FALSE(keys.Kor().Verify(cp.Text().value(), future).has_value());
  Bytes too_big = sig.signature;
  too_big[0] = 0x80;
  EXPECT_FALSE(keys.Kor().Verify(cp.Text().value(), too_big).has_value());
  EXPECT_FALSE(CosignatureTimestamp(NoteSignature{"n", KeyId(0), too_big}).has_value());
}

// ---- testdata/checkpoint: our generated vectors ----
//
// Fixed keys derived from their names, a checkpoint of the testdata/merkle tree (1000 leaves
// "entente leaf <i>"), signed by the USA log and cosigned by the KOR node. Ed25519 is
// deterministic, so regenerating (ENTENTE_REGENERATE_TESTDATA=1) rewrites identical files.
struct TestdataKeys {
  crypto::SigningKey log =
      crypto::SigningKey::FromSeed(crypto::Sha256(AsBytes("entente testdata log USA"))).value();
  crypto::SigningKey cosigner =
      crypto::SigningKey::FromSeed(crypto::Sha256(AsBytes("entente testdata cosigner KOR")))
          .value();
};

std::map<std::string, std::string> CheckpointVectors() {
  TestdataKeys keys;
  MerkleTree tree;
  for (int i = 0; i < 1000; ++i) tree.AppendLeaf(AsBytes("entente leaf " + std::to_string(i)));
  Checkpoint cp;
  cp.origin = EntenteOrigin(kSpace, "USA").value();
  cp.size = tree.size();
  cp.root = tree.Root();
  std::string kor = EntenteOrigin(kSpace, "KOR").value();
  Verifier log_vkey =
      Verifier::Create(cp.origin, NoteKeyType::kEd25519, keys.log.public_key()).value();
  Verifier cosigner_vkey =
      Verifier::Create(kor, NoteKeyType::kCosignatureV1, keys.cosigner.public_key()).value();
  std::string signed_cp = SignCheckpoint(cp, keys.log).value();
  std::string cosigned = CosignCheckpoint(signed_cp, kor, keys.cosigner, 1767225600).value();
  std::string key_text =
      "# Entente checkpoint test keys (docs/formats/checkpoint.md). Seeds are\n"
      "# SHA-256(\"entente testdata log USA\") and SHA-256(\"entente testdata cosigner KOR\").\n"
      "log_seed " +
      HexEncode(keys.log.seed().view()) + "\n" + "log_vkey " + log_vkey.ToString() + "\n" +
      "cosigner_seed " + HexEncode(keys.cosigner.seed().view()) + "\n" + "cosigner_vkey " +
      cosigner_vkey.ToString() + "\n";
  return {{"testdata/checkpoint/keys.txt", key_text},
          {"testdata/checkpoint/checkpoint.txt", signed_cp},
          {"testdata/checkpoint/cosigned.txt", cosigned}};
}

TEST(CheckpointTestdata, VectorsMatchTestdataAndOpen) {
  auto vectors = CheckpointVectors();
  for (const auto& [path, want] : vectors) {
    if (std::getenv("ENTENTE_REGENERATE_TESTDATA") != nullptr) {
      ASSERT_TRUE(
          WriteFileAtomic((testing::SourceDir() / path).string(), AsBytes(want), 0644, false)
              .has_value());
    }
    EXPECT_EQ(testing::ReadSourceFile(path), want) << path;
  }
  // The files open with the vkeys they list.
  std::string keys = testing::ReadSourceFile("testdata/checkpoint/keys.txt");
  auto field = [&](std::string_view name) -> std::string {
    std::string key = "\n";
    key.append(name).append(" ");
    size_t at = keys.find(key);
    if (at == std::string::npos) return "";
    size_t start = at + key.size();
    return keys.substr(start, keys.find('\n', start) - start);
  };
  auto log_vkey = Verifier::Parse(field("log_vkey"));
  auto cosigner_vkey = Verifier::Parse(field("cosigner_vkey"));
  ASSERT_TRUE(log_vkey.has_value() && cosigner_vkey.has_value());
  const Verifier& log = *log_vkey;
  std::vector<Verifier> cosigners = {*cosigner_vkey};
  auto opened =
      OpenCheckpoint(testing::ReadSourceFile("testdata/checkpoint/cosigned.txt"), log, cosigners);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EXPECT_EQ(opened->checkpoint.size, TreeSize(1000));
  EXPECT_EQ(opened->cosignatures[0].timestamp, 1767225600u);
  EXPECT_TRUE(OpenCheckpoint(testing::ReadSourceFile("testdata/checkpoint/checkpoint.txt"), log, {})
                  .has_value());
  EXPECT_FALSE(
      OpenCheckpoint(testing::ReadSourceFile("testdata/checkpoint/checkpoint.txt"), log, cosigners)
          .has_value());
}

}  // namespace
}  // namespace entente::ledger
