#!/usr/bin/perl
#
# asn2mmdb.pl - build callfence's ASN database (.mmdb) from the IP-range
# CSV files of the npm package @ip-location-db/asn, with
# MaxMind::DB::Writer (Debian libmaxmind-db-writer-perl).
#
#   perl asn2mmdb.pl [--epoch N] [--keep-reserved] OUT.mmdb IN.csv...
#
# Each line of IN.csv is one inclusive range and its operator:
#
#   ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
#   1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
#   2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project
#
# (the package's asn-ipv4.csv and asn-ipv6.csv; the *-num.csv variants
# with numeric addresses are not read).  Ranges need not be CIDR-aligned:
# the writer's insert_range splits each into the networks that cover it
# exactly.  Where ranges overlap, the later line wins.  An optional header
# line whose first cell is ip_range_start, blank lines and lines starting
# with '#' are skipped; fields may be double-quoted ("" is a quote inside
# one).  The organization may be empty (the record then has only the
# number).
#
# Each network gets the GeoLite2-ASN record callfence reads
# (src/geo/geo-mmdb.c):
#
#   { autonomous_system_number => uint32,
#     autonomous_system_organization => utf8_string }
#
# The database is IPv6 (ip_version 6) with IPv4 under ::/96, record size
# 24 (28 if the tree needs it), without IPv6-to-IPv4 aliases (the package
# maps 2002::/16 and 2001::/32 to ASNs of their own).  Reserved networks
# (private, documentation, ...) are dropped, as the writer does by
# default, unless --keep-reserved (the tests, whose ranges are
# documentation ranges).  --epoch fixes the build time (reproducible
# output); default $SOURCE_DATE_EPOCH, else now.
#
# Prints "asn2mmdb.pl: N ranges, M records -> OUT.mmdb" on success.
# Exits 2 with "FILE:LINE: message" on a bad line, 1 on a usage error,
# non-zero with a message on any other error.  The output is written
# under a temporary name and renamed into place, so a failed run leaves
# no partial OUT.mmdb.

use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use Socket qw(inet_pton AF_INET AF_INET6);
use MaxMind::DB::Writer::Tree;

my ($in_name, $line_no);

sub usage
{
	print STDERR "usage: asn2mmdb.pl [--epoch N] [--keep-reserved] "
	    . "OUT.mmdb IN.csv...\n";
	exit 1;
}

sub bad_line
{
	my ($msg) = @_;
	print STDERR "$in_name:$line_no: $msg\n";
	exit 2;
}

# Split one CSV line into fields (RFC 4180 quoting, one line per record).
sub split_csv
{
	my ($line) = @_;
	my @fields;
	while (1) {
		if ($line =~ s/^"((?:[^"]|"")*)"//) {
			(my $f = $1) =~ s/""/"/g;
			push @fields, $f;
		} elsif ($line =~ s/^([^",]*)//) {
			push @fields, $1;
		}
		last if $line eq '';
		bad_line("malformed quoting") unless $line =~ s/^,//;
		if ($line eq '') {
			push @fields, '';
			last;
		}
	}
	return @fields;
}

# An address as (family, packed bytes); bad_line if it is not one.
sub parse_addr
{
	my ($col, $text) = @_;
	my $fam = index($text, ':') >= 0 ? AF_INET6 : AF_INET;
	my $packed = $text =~ /^[0-9A-Fa-f.:]+$/ ? inet_pton($fam, $text) : undef;
	bad_line("$col '$text' is not an IPv4 or IPv6 address")
	    unless defined $packed;
	return ($fam, $packed);
}

# One CSV row to (start, end, record); bad_line on a bad row.
sub parse_row
{
	my @f = @_;
	bad_line(scalar(@f) . " fields, want 4 (ip_range_start,ip_range_end,"
	    . "autonomous_system_number,autonomous_system_organization)")
	    unless @f == 4;
	my ($start, $end, $asn, $org) = @f;
	my ($f1, $p1) = parse_addr('ip_range_start', $start);
	my ($f2, $p2) = parse_addr('ip_range_end', $end);
	bad_line("range $start-$end mixes IPv4 and IPv6") unless $f1 == $f2;
	bad_line("range $start-$end ends before it starts") if $p1 gt $p2;
	bad_line("autonomous_system_number '$asn' is not a number from 1 to "
	    . "4294967295")
	    unless $asn =~ /^[0-9]{1,10}$/ && $asn >= 1 && $asn <= 4294967295;
	my %rec = (autonomous_system_number => $asn + 0);
	$rec{autonomous_system_organization} = $org if $org ne '';
	return ($start, $end, \%rec);
}

# Records are shared between ranges of the same operator: one hash per
# distinct (number, organization), so the writer stores each once.
my %records;

sub read_csv
{
	my ($tree, $name) = @_;
	my $n = 0;
	$in_name = $name;
	open my $fh, '<:encoding(UTF-8)', $name or die "$name: $!\n";
	$line_no = 0;
	while (my $line = <$fh>) {
		$line_no++;
		$line =~ s/\r?\n\z//;
		next if $line =~ /^\s*(#|$)/;
		next if $line_no == 1 && $line =~ /^"?ip_range_start"?,/;
		my ($start, $end, $rec) = parse_row(split_csv($line));
		my $k = $rec->{autonomous_system_number} . "\0"
		    . ($rec->{autonomous_system_organization} // '');
		$rec = $records{$k} //= $rec;
		eval { $tree->insert_range($start, $end, $rec); 1 } or do {
			(my $e = $@) =~ s/ at \S+ line \d+\.?\n\z//;
			bad_line("cannot insert $start-$end: $e");
		};
		$n++;
	}
	close $fh or die "$name: $!\n";
	return $n;
}

sub new_tree
{
	my ($record_size, $keep, $epoch) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version               => 6,
		record_size              => $record_size,
		database_type            => 'callfence-ASN',
		languages                => ['en'],
		description              => {
			en => 'IP ranges to autonomous systems, from the npm '
			    . 'package @ip-location-db/asn (RouteViews, NRO, '
			    . 'DB-IP; CC BY 4.0)',
		},
		map_key_type_callback    => sub {
			{
				autonomous_system_number       => 'uint32',
				autonomous_system_organization => 'utf8_string',
			}->{ $_[0] };
		},
		alias_ipv6_to_ipv4       => 0,
		remove_reserved_networks => $keep ? 0 : 1,
		(defined $epoch ? (_build_epoch => $epoch) : ()),
	);
}

# Write the tree to out under a temporary name; 1 done, 0 if the tree
# does not fit the record size (the caller retries with a larger one).
sub write_db
{
	my ($tree, $out) = @_;
	my $tmp = "$out.tmp$$";
	open my $fh, '>:raw', $tmp or die "$tmp: $!\n";
	my $ok = eval { $tree->write_tree($fh); 1 };
	my $err = $@;
	close $fh;
	if (!$ok) {
		unlink $tmp;
		return 0 if $err =~ /record size|too large|exceed/i;
		die $err;
	}
	rename $tmp, $out or die "$out: $!\n";
	return 1;
}

sub main
{
	my ($keep, $epoch) = (0, $ENV{SOURCE_DATE_EPOCH});
	GetOptions('epoch=i' => \$epoch, 'keep-reserved' => \$keep)
	    or usage();
	usage() unless @ARGV >= 2;
	my ($out, @in) = @ARGV;
	for my $record_size (24, 28) {
		%records = ();
		my $tree = new_tree($record_size, $keep, $epoch);
		my $n = 0;
		$n += read_csv($tree, $_) for @in;
		next unless write_db($tree, $out);
		printf "asn2mmdb.pl: %d ranges, %d records -> %s\n", $n,
		    scalar(keys %records), $out;
		return 0;
	}
	die "$out: the tree does not fit a 28-bit record size\n";
}

exit main();
