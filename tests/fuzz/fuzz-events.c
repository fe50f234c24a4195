/*
 * fuzz-events.c - libFuzzer target: the auditor's report (src/report)
 * built from the input taken as NDJSON events (event/event-read.c reads
 * them; a SIEM export or a file anyone could have edited), written to a
 * memory stream.  Invariants: reading never fails on content (malformed
 * lines are counted), the report is written, it holds exactly one
 * <script> element (its own: no event string becomes markup) and no
 * control character but newline.
 */
#include "fuzz-util.h"
#include "report/audit.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_audit *a = cf_audit_new();
	char err[512], *out = NULL;
	size_t outlen = 0, i, scripts = 0;
	const char *p;
	FILE *in, *o;

	if (a == NULL)
		return 0;
	in = fmemopen((void *)data, size ? size : 1, "r");
	if (in == NULL || size == 0) {
		if (in != NULL)
			fclose(in);
		cf_audit_free(a);
		return 0;
	}
	FZ_CHECK(cf_audit_read(a, in, "fuzz", err, sizeof(err)) == 0);
	fclose(in);
	cf_audit_permit(a, "DE");
	cf_audit_permit_label(a, "EEA");
	o = open_memstream(&out, &outlen);
	FZ_CHECK(o != NULL);
	FZ_CHECK(cf_audit_write(a, o, "fuzz", err, sizeof(err)) == 0);
	fclose(o);
	for (p = out; (p = strstr(p, "<script")) != NULL; p++)
		scripts++;
	FZ_CHECK(scripts == 1);
	for (i = 0; i < outlen; i++)
		FZ_CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\n');
	free(out);
	cf_audit_free(a);
	return 0;
}
