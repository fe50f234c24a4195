#!/usr/bin/perl
#
# topo2shapes.pl - convert the country shapes of a TopoJSON topology (the
# npm package world-atlas: countries-50m.json, Natural Earth) to callfence's
# plain-text shape file, world-countries.txt.  Core Perl only (JSON::PP).
#
#   perl topo2shapes.pl [--iso FILE] [--object NAME] [--comment TEXT]...
#                       IN.json OUT.txt
#
# The topology's geometries (object NAME, default "countries") are
# Polygon or MultiPolygon with arc indexes; arcs are shared, quantized and
# delta-encoded when the topology has a "transform" (position = running
# sum of the deltas times scale plus translate), absolute otherwise; an
# index i < 0 means arc ~i (= -i - 1) reversed.  A ring is its arcs joined,
# each arc after the first without its first point (the previous arc's
# last).  Each geometry's "id" is an ISO 3166-1 numeric code, joined to the
# alpha-2 code and name by FILE (default Debian iso-codes'
# /usr/share/iso-codes/json/iso_3166-1.json).
#
# Output (one country per C line, sorted by alpha-2; geometries sharing an
# id are merged under one C line):
#
#   # comment lines: each --comment TEXT, then what was skipped
#   C <alpha2> <numeric> <name>
#   P
#   R lon,lat lon,lat ...
#
# Each P starts a polygon: its first R ring is the outer ring, further R
# rings are holes.  Degrees with 4 decimals; consecutive points equal after
# rounding are merged; rings are closed (last point = first) and have at
# least 4 points - a ring that collapses below that is dropped (a polygon
# whose outer ring collapses is dropped whole) and counted in a comment.
# Geometries without an id, or with an id the ISO table does not know,
# are skipped and counted in a comment.
#
# Exit status: 0 written, 1 usage, 2 bad input (message names the file).
# The output is written to OUT.txt.tmp and renamed into place.
use strict;
use warnings;
use JSON::PP ();

my $iso_file = '/usr/share/iso-codes/json/iso_3166-1.json';
my $object = 'countries';
my @comments;

sub usage {
	print STDERR "usage: topo2shapes.pl [--iso FILE] [--object NAME]"
	    . " [--comment TEXT]... IN.json OUT.txt\n";
	exit 1;
}

while (@ARGV && $ARGV[0] =~ /^--/) {
	my $opt = shift @ARGV;
	last if $opt eq '--';
	usage() unless @ARGV;
	if ($opt eq '--iso') { $iso_file = shift @ARGV; }
	elsif ($opt eq '--object') { $object = shift @ARGV; }
	elsif ($opt eq '--comment') {
		my $c = shift @ARGV;
		die "topo2shapes.pl: --comment must be one line\n" if $c =~ /\n/;
		push @comments, $c;
	}
	else { usage(); }
}
usage() unless @ARGV == 2;
my ($in, $out) = @ARGV;

sub bad {
	my ($file, $msg) = @_;
	print STDERR "topo2shapes.pl: $file: $msg\n";
	exit 2;
}

sub slurp_json {
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or bad($file, "cannot read: $!");
	local $/;
	my $text = <$fh>;
	close $fh;
	my $data = eval { JSON::PP->new->utf8->decode($text) };
	bad($file, "not JSON: " . ($@ =~ s/\s+at \S+ line \d+.*//sr)) unless defined $data;
	return $data;
}

# The ISO table: numeric (3 digits) -> [alpha2, name].
my $isodata = slurp_json($iso_file);
bad($iso_file, "no \"3166-1\" array")
    unless ref $isodata eq 'HASH' && ref $isodata->{'3166-1'} eq 'ARRAY';
my %iso;
for my $e (@{$isodata->{'3166-1'}}) {
	next unless ref $e eq 'HASH';
	my ($n, $a2) = ($e->{numeric}, $e->{alpha_2});
	next unless defined $n && defined $a2 && $n =~ /^\d{3}$/ && $a2 =~ /^[A-Z]{2}$/;
	my $name = $e->{common_name} // $e->{name} // $a2;
	$name =~ s/[\x00-\x1f\x7f]+/ /g;
	$iso{$n} = [$a2, $name];
}
bad($iso_file, "no country codes in it") unless %iso;

my $topo = slurp_json($in);
bad($in, "not a TopoJSON Topology")
    unless ref $topo eq 'HASH' && ($topo->{type} // '') eq 'Topology';
bad($in, "no \"arcs\" array") unless ref $topo->{arcs} eq 'ARRAY';
my $obj = ref $topo->{objects} eq 'HASH' ? $topo->{objects}{$object} : undef;
bad($in, "no object \"$object\" with geometries")
    unless ref $obj eq 'HASH' && ref $obj->{geometries} eq 'ARRAY';

my ($sx, $sy, $tx, $ty) = (1, 1, 0, 0);
my $quantized = 0;
if (defined $topo->{transform}) {
	my $t = $topo->{transform};
	bad($in, "bad \"transform\"")
	    unless ref $t eq 'HASH' && ref $t->{scale} eq 'ARRAY' && ref $t->{translate} eq 'ARRAY'
	    && @{$t->{scale}} == 2 && @{$t->{translate}} == 2;
	($sx, $sy) = @{$t->{scale}};
	($tx, $ty) = @{$t->{translate}};
	$quantized = 1;
}

sub fmt {
	my $s = sprintf('%.4f', $_[0]);
	$s = '0.0000' if $s eq '-0.0000';
	return $s;
}

# Decode every arc once into "lon,lat" strings (already rounded).
my @arcs;
for my $i (0 .. $#{$topo->{arcs}}) {
	my $arc = $topo->{arcs}[$i];
	bad($in, "arc $i is not an array of positions") unless ref $arc eq 'ARRAY' && @$arc >= 2;
	my ($x, $y) = (0, 0);
	my @pts;
	for my $p (@$arc) {
		bad($in, "arc $i: bad position")
		    unless ref $p eq 'ARRAY' && @$p >= 2
		    && $p->[0] =~ /^-?[\d.eE+-]+$/ && $p->[1] =~ /^-?[\d.eE+-]+$/;
		if ($quantized) {
			$x += $p->[0];
			$y += $p->[1];
		} else {
			($x, $y) = @$p;
		}
		my ($lon, $lat) = ($x * $sx + $tx, $y * $sy + $ty);
		bad($in, "arc $i: position $lon,$lat outside -180..180, -90..90")
		    if abs($lon) > 180.00005 || abs($lat) > 90.00005;
		push @pts, fmt($lon) . ',' . fmt($lat);
	}
	push @arcs, \@pts;
}

my ($dropped_rings, $dropped_polys) = (0, 0);

# ring(ARCINDEXES): the closed ring as a list of points, or undef if it
# collapses below 4 points.
sub ring {
	my ($idx, $where) = @_;
	bad($in, "$where: a ring is not a list of arc indexes") unless ref $idx eq 'ARRAY' && @$idx;
	my @pts;
	for my $k (@$idx) {
		bad($in, "$where: bad arc index") unless defined $k && $k =~ /^-?\d+$/;
		my $ai = $k < 0 ? -$k - 1 : $k;
		bad($in, "$where: arc index $k out of range") if $ai > $#arcs;
		my @p = @{$arcs[$ai]};
		@p = reverse @p if $k < 0;
		shift @p if @pts;
		for my $q (@p) {
			push @pts, $q unless @pts && $pts[-1] eq $q;
		}
	}
	push @pts, $pts[0] if $pts[-1] ne $pts[0];
	return @pts >= 4 ? \@pts : undef;
}

# polygon(RINGS): [outer, holes...] or undef if the outer ring collapses.
sub polygon {
	my ($rings, $where) = @_;
	bad($in, "$where: a polygon is not a list of rings") unless ref $rings eq 'ARRAY' && @$rings;
	my @out;
	for my $r (0 .. $#$rings) {
		my $ring = ring($rings->[$r], $where);
		if (!defined $ring) {
			if ($r == 0) {
				$dropped_polys++;
				return undef;
			}
			$dropped_rings++;
			next;
		}
		push @out, $ring;
	}
	return \@out;
}

my (%polys, %seen_name);
my (%skipped_noid, %skipped_unknown);
my $skipped_type = 0;
my $n = 0;
for my $g (@{$obj->{geometries}}) {
	$n++;
	bad($in, "geometry $n is not an object") unless ref $g eq 'HASH';
	my $type = $g->{type} // 'null';
	my $name = ref $g->{properties} eq 'HASH' ? ($g->{properties}{name} // '') : '';
	my $where = "geometry $n" . ($name ne '' ? " ($name)" : '');
	my @list;
	if ($type eq 'Polygon') {
		@list = ($g->{arcs});
	} elsif ($type eq 'MultiPolygon') {
		bad($in, "$where: MultiPolygon without arcs") unless ref $g->{arcs} eq 'ARRAY';
		@list = @{$g->{arcs}};
	} else {
		$skipped_type++;
		next;
	}
	my $id = $g->{id};
	if (!defined $id || $id eq '') {
		$skipped_noid{$name eq '' ? "geometry $n" : $name} = 1;
		next;
	}
	$id = sprintf('%03d', $id) if $id =~ /^\d{1,2}$/;
	if (!exists $iso{$id}) {
		$skipped_unknown{"$id" . ($name ne '' ? " $name" : '')} = 1;
		next;
	}
	for my $p (@list) {
		my $poly = polygon($p, $where);
		push @{$polys{$id}}, $poly if defined $poly;
	}
}

my @ids = sort { $iso{$a}[0] cmp $iso{$b}[0] } grep { @{$polys{$_}} } keys %polys;
bad($in, "no country with a known id and a shape") unless @ids;

my $tmp = "$out.tmp$$";
open(my $fh, '>:encoding(UTF-8)', $tmp) or die "topo2shapes.pl: cannot write $tmp: $!\n";
print $fh "# $_\n" for @comments;
print $fh "# format: C alpha2 numeric name / P (polygon) / R lon,lat ... (ring:"
    . " first outer, then holes; closed)\n";
printf $fh "# %d countries, %d polygons\n", scalar @ids,
    eval { my $t = 0; $t += @{$polys{$_}} for @ids; $t };
my @noid = sort keys %skipped_noid;
printf $fh "# skipped %d shapes without an ISO 3166-1 id: %s\n", scalar @noid,
    join(', ', @noid) if @noid;
my @unk = sort keys %skipped_unknown;
printf $fh "# skipped %d shapes whose id has no alpha-2 code: %s\n", scalar @unk,
    join(', ', @unk) if @unk;
printf $fh "# skipped %d geometries that are not polygons\n", $skipped_type if $skipped_type;
printf $fh "# dropped %d polygons and %d holes that collapse when rounded\n",
    $dropped_polys, $dropped_rings if $dropped_polys || $dropped_rings;
for my $id (@ids) {
	my ($a2, $name) = @{$iso{$id}};
	print $fh "C $a2 $id $name\n";
	for my $poly (@{$polys{$id}}) {
		print $fh "P\n";
		print $fh 'R ' . join(' ', @$_) . "\n" for @$poly;
	}
}
close $fh or do { unlink $tmp; die "topo2shapes.pl: cannot write $tmp: $!\n"; };
rename $tmp, $out or do { unlink $tmp; die "topo2shapes.pl: cannot rename $tmp to $out: $!\n"; };
printf STDERR "topo2shapes.pl: %d countries -> %s\n", scalar @ids, $out;
exit 0;
