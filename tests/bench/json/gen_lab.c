/* Write a lab.json of N hosts spread over L labs, shaped like the upstream
 * records (creds, interfaces, pass-through fields). Usage: gen_lab FILE [N] [L] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [HOSTS] [LABS]\n", argv[0]);
		return 2;
	}
	long n = argc > 2 ? atol(argv[2]) : 100000, labs = argc > 3 ? atol(argv[3]) : 1000;
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fputs("{\n  \"$schema\": \"lab.schema.json\",\n  \"hosts\": [\n", f);
	for (long i = 0; i < n; i++) {
		long lab = i % labs;
		fprintf(
		    f,
		    "    {\"ip\": \"10.%ld.%ld.%ld\", \"element\": \"node\", \"element_id\": %ld, \"board\": \"seed\","
		    " \"os_type\": \"unix\", \"docker_capable\": %s,\n"
		    "     \"valid_terms\": [\"ssh\", \"telnet\"], \"is_virtual\": true,\n"
		    "     \"creds\": [{\"login\": \"vagrant\", \"password\": \"vagrant\"}],\n"
		    "     \"interfaces\": {\"eth1\": {\"ip\": \"192.168.%ld.%ld\", \"subnet\": "
		    "\"192.168.%ld.0/24\"}},\n"
		    "     \"resources\": [\"node%ld\", \"rack%ld-psu\"],\n"
		    "     \"labs\": [\"lab%04ld\"%s]}%s\n",
		    (i >> 16) & 255, (i >> 8) & 255, i & 255, i, i % 3 ? "false" : "true", (i >> 8) & 255, i & 255,
		    (i >> 8) & 255, i, lab, lab, i % 50 == 0 ? ", \"shared\"" : "", i + 1 < n ? "," : "");
	}
	fputs("  ],\n  \"links\": [{\"endpoints\": [{\"host\": \"node0_seed\", \"interface\": \"eth1\"}]}]\n}\n", f);
	return fclose(f) == 0 ? 0 : 1;
}
