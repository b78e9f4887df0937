import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLicenseCompatible, LICENSE_MODES, licenseTerms } from "./license.js";

const cc = (terms: string, version = "3.0") =>
  `http://creativecommons.org/licenses/${terms}/${version}/`;
const BY = cc("by");
const BY_SA = cc("by-sa");
const BY_NC = cc("by-nc");
const BY_ND = cc("by-nd");
const BY_NC_SA = cc("by-nc-sa");
const BY_NC_ND = cc("by-nc-nd");
const PD = "http://creativecommons.org/licenses/publicdomain/";
const CC0 = "http://creativecommons.org/publicdomain/zero/1.0/";
const GPL = "http://www.gnu.org/licenses/gpl-3.0.html";

describe("licenseTerms", () => {
  it("splits the CC path segment on '-', whatever the scheme, host prefix or version", () => {
    assert.deepEqual(licenseTerms(BY_NC_SA), ["by", "nc", "sa"]);
    assert.deepEqual(licenseTerms("https://www.creativecommons.org/licenses/by-sa/4.0/deed.de"), [
      "by",
      "sa",
    ]);
    assert.deepEqual(licenseTerms("http://creativecommons.org/licenses/by"), ["by"]);
    assert.deepEqual(licenseTerms(PD), ["publicdomain"]);
  });

  it("treats anything else (CC0 included, and a differently cased host) as one opaque term", () => {
    assert.deepEqual(licenseTerms(CC0), [CC0]);
    assert.deepEqual(licenseTerms(GPL), [GPL]);
    assert.deepEqual(licenseTerms("http://CreativeCommons.org/licenses/by/3.0/"), [
      "http://CreativeCommons.org/licenses/by/3.0/",
    ]);
    assert.deepEqual(licenseTerms(""), [""]);
  });
});

describe("isLicenseCompatible (StatusNet 0.9 rule)", () => {
  // [sender, site, compatible, why]
  const table: [string, string, boolean, string][] = [
    [BY, BY, true, "same license"],
    [BY, BY_NC_ND, true, "a lone by fits anything"],
    [cc("by", "2.5"), GPL, true, "a lone by of any version fits even a non-CC site"],
    [PD, BY_SA, true, "publicdomain fits anything"],
    [PD, GPL, true, "publicdomain fits anything"],
    [CC0, BY, false, "CC0 is not under licenses/: opaque, so string equality"],
    [CC0, CC0, true, "opaque but equal"],
    [BY_SA, BY_SA, true, "same license"],
    [cc("by-sa", "2.0"), BY_SA, true, "sa ignores versions"],
    [BY_SA, BY_NC_SA, true, "every sender term (by, sa) is in by-nc-sa"],
    [BY_NC_SA, BY_SA, false, "nc is not in the site's terms"],
    [BY_NC, BY_SA, false, "site has sa; nc missing there"],
    [BY_ND, BY_NC_SA, false, "site has sa; nd missing there"],
    [BY_SA, BY, false, "sender has sa; sa missing in the site's terms"],
    [BY_SA, GPL, false, "sa against an opaque license"],
    [GPL, BY_SA, false, "opaque sender term not among the site's terms"],
    [BY_NC, BY_NC, true, "no sa: string equality"],
    [cc("by-nc", "2.0"), BY_NC, false, "no sa: versions matter"],
    [BY_ND, BY, false, "the lone-by rule is for the sender only"],
    [BY_NC_ND, BY_NC, false, "no sa, not equal"],
    [`${BY_NC}`, "https://creativecommons.org/licenses/by-nc/3.0/", false, "no sa: scheme matters"],
    [GPL, GPL, true, "opaque but equal"],
    ["", "", true, "both empty: equal strings"],
    ["", BY, false, "empty sender license: not equal"],
    ["by", GPL, true, "the literal string 'by' is a lone by term (0.9 quirk)"],
  ];
  for (const [sender, site, expected, why] of table) {
    it(`${sender || '""'} → ${site || '""'}: ${expected} (${why})`, () => {
      assert.equal(isLicenseCompatible(sender, site), expected);
      assert.equal(isLicenseCompatible(sender, site, "statusnet-0.9"), expected);
    });
  }
});

describe("isLicenseCompatible (other modes)", () => {
  it("'equal' is Laconica 0.8's string equality", () => {
    assert.equal(isLicenseCompatible(BY, BY, "equal"), true);
    assert.equal(
      isLicenseCompatible(BY, "http://creativecommons.org/licenses/by/3.0", "equal"),
      false,
    );
    assert.equal(isLicenseCompatible(PD, BY, "equal"), false);
  });

  it("'any' accepts everything", () => {
    assert.equal(isLicenseCompatible(BY_NC_ND, BY_SA, "any"), true);
    assert.equal(isLicenseCompatible("", BY, "any"), true);
  });

  it("lists every mode", () =>
    assert.deepEqual([...LICENSE_MODES], ["statusnet-0.9", "equal", "any"]));
});
