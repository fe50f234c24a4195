#!/usr/bin/perl
#
# mkmmdb.pl - build a test .mmdb from a CSV file with MaxMind::DB::Writer.
#
#   perl mkmmdb.pl [--ip-version 4|6] [--epoch N] --type country|asn|flat|flatasn IN.csv OUT.mmdb
#
# The first line of IN.csv is a header naming the columns of the type:
#
#   country  network,country,registered_country
#            -> { country => { iso_code }, registered_country => { iso_code } }
#   asn      network,asn,organization
#            -> { autonomous_system_number (uint32),
#                 autonomous_system_organization }
#   flat     network,country_code -> { country_code }
#   city     network,country,latitude,longitude,accuracy_radius
#            -> { country => { iso_code }, location => { latitude,
#                 longitude (double), accuracy_radius (uint16, km) } }
#   flatcity network,country_code,latitude,longitude
#            -> { country_code, latitude, longitude (float) }
#            (the flat city schema of ip-location-db's city databases)
#   flatasn  network,asn,as_organization
#            -> { asn (text, written as given), as_organization }
#            (\x{HHHH} in as_organization is the character U+HHHH)
#
# An empty cell means the field is absent from the record; a row with every
# data cell empty inserts nothing.  Blank lines and lines starting with '#'
# are ignored.  Fields may be double-quoted ("" is a quote inside one).
# Networks are inserted shortest prefix first, so a more specific network
# overrides the one that contains it whatever the order of the file.
#
# The database is IPv6 (default) with IPv4 under ::/96 and the usual IPv6
# aliases to it (::ffff:0:0/96, 2002::/16, 2001::/32), or IPv4 only with
# --ip-version 4.  Reserved networks are NOT removed: the test ranges are
# documentation ranges (RFC 5737, RFC 3849), which the writer would
# otherwise drop silently.  --epoch fixes the build time (reproducible
# output); it defaults to $SOURCE_DATE_EPOCH, then to now.
#
# Exits 2 with "FILE:LINE: message" on a bad line, 1 on a usage error,
# non-zero with a message on any other error (unreadable input, ...).

use strict;
use warnings;

use Getopt::Long qw(GetOptions);
use MaxMind::DB::Writer::Tree;
use Net::Works::Network;

my %TYPES = (
	country => {
		columns => [qw(network country registered_country)],
		dbtype  => 'callfence-Test-Country',
		types   => {
			country            => 'map',
			registered_country => 'map',
			iso_code           => 'utf8_string',
		},
		record  => \&country_record,
	},
	asn => {
		columns => [qw(network asn organization)],
		dbtype  => 'callfence-Test-ASN',
		types   => {
			autonomous_system_number       => 'uint32',
			autonomous_system_organization => 'utf8_string',
		},
		record  => \&asn_record,
	},
	flatasn => {
		columns => [qw(network asn as_organization)],
		dbtype  => 'callfence-Test-FlatASN',
		types   => {
			asn             => 'utf8_string',
			as_organization => 'utf8_string',
		},
		record  => \&flatasn_record,
	},
	city => {
		columns => [qw(network country latitude longitude accuracy_radius)],
		dbtype  => 'callfence-Test-City',
		types   => {
			country         => 'map',
			iso_code        => 'utf8_string',
			location        => 'map',
			latitude        => 'double',
			longitude       => 'double',
			accuracy_radius => 'uint16',
		},
		record  => \&city_record,
	},
	flatcity => {
		columns => [qw(network country_code latitude longitude)],
		dbtype  => 'callfence-Test-FlatCity',
		types   => {
			country_code => 'utf8_string',
			latitude     => 'float',
			longitude    => 'float',
		},
		record  => \&flatcity_record,
	},
	flat => {
		columns => [qw(network country_code)],
		dbtype  => 'callfence-Test-Flat',
		types   => { country_code => 'utf8_string' },
		record  => \&flat_record,
	},
);

my ($in_name, $line_no);

sub usage
{
	print STDERR "usage: mkmmdb.pl [--ip-version 4|6] [--epoch N] "
	    . "--type country|asn|flat|flatasn|city|flatcity IN.csv OUT.mmdb\n";
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

sub check_cc
{
	my ($col, $v) = @_;
	bad_line("$col '$v' is not two upper-case letters")
	    unless $v =~ /^[A-Z]{2}$/;
	return $v;
}

sub country_record
{
	my ($country, $registered) = @_;
	my %r;
	$r{country} = { iso_code => check_cc('country', $country) }
	    if $country ne '';
	$r{registered_country} =
	    { iso_code => check_cc('registered_country', $registered) }
	    if $registered ne '';
	return \%r;
}

sub asn_record
{
	my ($asn, $org) = @_;
	my %r;
	if ($asn ne '') {
		bad_line("asn '$asn' is not a number from 1 to 4294967295")
		    unless $asn =~ /^[0-9]{1,10}$/ && $asn >= 1
		    && $asn <= 4294967295;
		$r{autonomous_system_number} = $asn + 0;
	}
	$r{autonomous_system_organization} = $org if $org ne '';
	return \%r;
}

# The flat ASN schema stores asn as text ("AS13335"); it is written
# verbatim, unchecked, so tests can feed readers odd values.  In
# as_organization, \x{HHHH} stands for the character U+HHHH, so control
# characters can be written visibly.
sub flatasn_record
{
	my ($asn, $org) = @_;
	my %r;
	$org =~ s/\\x\{([0-9A-Fa-f]{1,6})\}/chr(hex($1))/ge;
	$r{asn} = $asn if $asn ne '';
	$r{as_organization} = $org if $org ne '';
	return \%r;
}

sub check_deg
{
	my ($col, $v, $max) = @_;
	bad_line("$col '$v' is not a number from -$max to $max")
	    unless $v =~ /^-?[0-9]+(\.[0-9]+)?$/ && abs($v) <= $max;
	return $v + 0;
}

sub city_record
{
	my ($country, $lat, $lon, $radius) = @_;
	my (%r, %loc);
	$r{country} = { iso_code => check_cc('country', $country) }
	    if $country ne '';
	$loc{latitude} = check_deg('latitude', $lat, 90) if $lat ne '';
	$loc{longitude} = check_deg('longitude', $lon, 180) if $lon ne '';
	if ($radius ne '') {
		bad_line("accuracy_radius '$radius' is not a number from 0 to 65535")
		    unless $radius =~ /^[0-9]{1,5}$/ && $radius <= 65535;
		$loc{accuracy_radius} = $radius + 0;
	}
	$r{location} = \%loc if %loc;
	return \%r;
}

sub flatcity_record
{
	my ($cc, $lat, $lon) = @_;
	my %r;
	$r{country_code} = check_cc('country_code', $cc) if $cc ne '';
	$r{latitude} = check_deg('latitude', $lat, 90) if $lat ne '';
	$r{longitude} = check_deg('longitude', $lon, 180) if $lon ne '';
	return \%r;
}

sub flat_record
{
	my ($cc) = @_;
	return $cc eq '' ? {} : { country_code => check_cc('country_code', $cc) };
}

# Parse and check a network; host bits must be clear.
sub parse_network
{
	my ($text, $ipver) = @_;
	bad_line("network '$text' is not ADDRESS/LENGTH")
	    unless $text =~ m{^([0-9A-Fa-f.:]+)/([0-9]{1,3})$};
	my $fam = index($text, ':') >= 0 ? 6 : 4;
	bad_line("IPv6 network '$text' in an IPv4 database")
	    if $fam == 6 && $ipver == 4;
	my $net = eval { Net::Works::Network->new_from_string(string => $text) };
	bad_line("network '$text' is not valid") unless $net;
	my $first = $net->first->as_string;
	my ($addr) = split m{/}, $text;
	my $canon = eval {
		Net::Works::Address->new_from_string(string => $addr)->as_string
	} // '';
	bad_line("network '$text' has host bits set (network is $first)")
	    unless lc($canon) eq lc($first);
	return [$text, $net->prefix_length + ($fam == 4 ? 96 : 0)];
}

sub read_rows
{
	my ($type, $ipver) = @_;
	my $t = $TYPES{$type};
	my $ncol = @{ $t->{columns} };
	my @rows;
	open my $fh, '<:encoding(UTF-8)', $in_name or die "$in_name: $!\n";
	$line_no = 0;
	my $header;
	while (my $line = <$fh>) {
		$line_no++;
		$line =~ s/\r?\n\z//;
		next if $line =~ /^\s*(#|$)/;
		my @f = split_csv($line);
		if (!defined $header) {
			$header = join ',', @f;
			my $want = join ',', @{ $t->{columns} };
			bad_line("header is '$header', want '$want' for --type $type")
			    unless $header eq $want;
			next;
		}
		bad_line(scalar(@f) . " fields, want $ncol") unless @f == $ncol;
		my $net = parse_network(shift @f, $ipver);
		my $rec = $t->{record}->(@f);
		push @rows, [@$net, $rec, $line_no] if %$rec;
	}
	close $fh;
	$line_no = 0;
	bad_line("no header line") unless defined $header;
	return @rows;
}

sub main
{
	my ($type, $ipver, $epoch) = ('', 6, $ENV{SOURCE_DATE_EPOCH});
	GetOptions('type=s' => \$type, 'ip-version=i' => \$ipver,
	    'epoch=i' => \$epoch) or usage();
	usage() unless @ARGV == 2 && $TYPES{$type}
	    && ($ipver == 4 || $ipver == 6);
	my $out_name;
	($in_name, $out_name) = @ARGV;
	my $t = $TYPES{$type};
	my @rows = sort { $a->[1] <=> $b->[1] || $a->[3] <=> $b->[3] }
	    read_rows($type, $ipver);

	my $tree = MaxMind::DB::Writer::Tree->new(
		ip_version               => $ipver,
		record_size              => 24,
		database_type            => $t->{dbtype},
		languages                => ['en'],
		description              => { en => "callfence test data ($type)" },
		map_key_type_callback    => sub { $t->{types}{ $_[0] } },
		alias_ipv6_to_ipv4       => $ipver == 6 ? 1 : 0,
		remove_reserved_networks => 0,
		(defined $epoch ? (_build_epoch => $epoch) : ()),
	);
	$tree->insert_network($_->[0], $_->[2]) for @rows;

	my $tmp = "$out_name.tmp$$";
	open my $out, '>:raw', $tmp or die "$tmp: $!\n";
	$tree->write_tree($out);
	close $out or die "$tmp: $!\n";
	rename $tmp, $out_name or die "$out_name: $!\n";
	return 0;
}

exit main();
