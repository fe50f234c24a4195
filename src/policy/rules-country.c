/*
 * rules-country.c - country codes and sets of them for the rules language.
 *
 * ISO 3166-1 alpha-2 names every country (and territory) with two letters;
 * a set of countries is a 26 x 26 bitmap indexed by the two letters, so a
 * flow's country is tested against a rule in constant time.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "policy/rules.h"

/*
 * The officially assigned ISO 3166-1 alpha-2 codes (249), sorted, one row
 * per first letter.  Reserved codes (EU, UK, XK, ...) are not assigned.
 */
static const char iso3166_assigned[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ "
	"EC EE EG EH ER ES ET "
	"FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
	"HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT "
	"JE JM JO JP "
	"KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY "
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
	"NA NC NE NF NG NI NL NO NP NR NU NZ "
	"OM "
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
	"QA "
	"RE RO RS RU RW "
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
	"UA UG UM US UY UZ "
	"VA VC VE VG VI VN VU "
	"WF WS "
	"YE YT "
	"ZA ZM ZW ";

#define ISO3166_COUNT ((sizeof(iso3166_assigned) - 1) / 3)

static int upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

int cf_cset_index(const char *cc)
{
	int a, b;

	if (cc == NULL || cc[0] == '\0' || cc[1] == '\0' || cc[2] != '\0')
		return -1;
	a = upper((unsigned char)cc[0]);
	b = upper((unsigned char)cc[1]);
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return -1;
	return (a - 'A') * 26 + (b - 'A');
}

/* Binary search of the table above; each entry is "XY " (3 bytes). */
int cf_iso3166_assigned(const char *cc)
{
	size_t lo = 0, hi = ISO3166_COUNT;

	if (cc == NULL || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' ||
	    cc[1] < 'A' || cc[1] > 'Z')
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strncmp(iso3166_assigned + mid * 3, cc, 2);

		if (d == 0)
			return 1;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void cf_cset_union(struct cf_cset *dst, const struct cf_cset *src)
{
	size_t i;

	for (i = 0; i < CF_CSET_WORDS; i++)
		dst->w[i] |= src->w[i];
}

char *cf_cset_str(const struct cf_cset *s, const char *sep, char *buf,
		  size_t len)
{
	size_t off = 0, seplen = strlen(sep);
	int i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < CF_CSET_BITS; i++) {
		if (!cf_cset_has(s, i))
			continue;
		if (off + (off > 0 ? seplen : 0) + 2 >= len)
			break;
		if (off > 0) {
			memcpy(buf + off, sep, seplen);
			off += seplen;
		}
		buf[off++] = (char)('A' + i / 26);
		buf[off++] = (char)('A' + i % 26);
		buf[off] = '\0';
	}
	return buf;
}
