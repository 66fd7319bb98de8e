#include <gtest/gtest.h>

#include "aws/xml.hpp"

namespace hoist::aws {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_xml(text);
    } catch (const XmlError& e) {
        return e.what();
    }
    return "";
}

TEST(Xml, ReadsAnAwsResponse) {
    auto doc = parse_xml(R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member><Target><Id>10.0.1.11</Id><Port>8080</Port></Target></member>
      <member><Target><Id>10.0.1.12</Id><Port>8080</Port></Target></member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata><RequestId>abc-123</RequestId></ResponseMetadata>
</DescribeTargetHealthResponse>)");
    EXPECT_EQ(doc.name, "DescribeTargetHealthResponse");
    EXPECT_EQ(doc.attributes.at("xmlns"), "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/");
    auto ms = doc.members("DescribeTargetHealthResult/TargetHealthDescriptions");
    ASSERT_EQ(ms.size(), 2u);
    EXPECT_EQ(ms[1]->text_at("Target/Id"), "10.0.1.12");
    EXPECT_EQ(doc.text_at("ResponseMetadata/RequestId"), "abc-123");
    EXPECT_EQ(doc.text_at("No/Such"), "");
    EXPECT_EQ(doc.find("No"), nullptr);
    EXPECT_TRUE(doc.members("Nope").empty());
}

TEST(Xml, EntitiesCdataCommentsAndPrefixes) {
    auto doc = parse_xml(
        "<a:Root xmlns:a='x'><!-- c --><m>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1234;</m>"
        "<m><![CDATA[<raw & stuff>]]></m><e/><e k=\"v&amp;w\" /><?pi x?></a:Root>");
    EXPECT_EQ(doc.name, "Root");
    auto ms = doc.children_named("m");
    ASSERT_EQ(ms.size(), 2u);
    EXPECT_EQ(ms[0]->text, "<&>\"'AB\xE1\x88\xB4");
    EXPECT_EQ(ms[1]->text, "<raw & stuff>");
    auto es = doc.children_named("e");
    ASSERT_EQ(es.size(), 2u);
    EXPECT_EQ(es[1]->attributes.at("k"), "v&w");
    EXPECT_TRUE(es[0]->children.empty());
}

TEST(Xml, TextKeepsInnerWhitespaceTextAtTrims) {
    auto doc = parse_xml("<r><m>  a  b \n</m></r>");
    EXPECT_EQ(doc.child("m")->text, "  a  b \n");
    EXPECT_EQ(doc.text_at("m"), "a  b");
}

TEST(Xml, ByteOrderMarkAndTrailingMisc) {
    EXPECT_EQ(parse_xml("\xEF\xBB\xBF<r/>\n<!-- end -->\n").name, "r");
}

TEST(Xml, ErrorsSayWhere) {
    EXPECT_EQ(error_of("<a><b></a>"), "line 1, column 7: </a> closes <b>");
    EXPECT_EQ(error_of("<a>\n<b>"), "line 2, column 4: missing </b>");
    EXPECT_EQ(error_of(""), "line 1, column 1: expected the root element");
    EXPECT_EQ(error_of("<a/><b/>"), "line 1, column 5: unexpected content after the root element");
    EXPECT_EQ(error_of("<a>&nbsp;</a>"), "line 1, column 5: unknown entity '&nbsp;'");
    EXPECT_EQ(error_of("<!DOCTYPE a [<!ENTITY x 'y'>]><a/>"), "line 1, column 1: DOCTYPE is not accepted");
    EXPECT_EQ(error_of("<a>&#0;</a>"), "line 1, column 5: character reference out of range '&#0;'");
    EXPECT_EQ(error_of("<a>&#xZZ;</a>"), "line 1, column 5: bad character reference '&#xZZ;'");
    EXPECT_EQ(error_of("<a b=c/>"), "line 1, column 6: expected a quoted attribute value");
    EXPECT_EQ(error_of("<a><![CDATA[x</a>"), "line 1, column 13: unterminated CDATA section");
    EXPECT_EQ(error_of("<a"), "line 1, column 3: unterminated start tag <a>");
    EXPECT_FALSE(error_of("truncated <a><b>1</b>").empty());
}

TEST(Xml, RefusesDeepNesting) {
    std::string s;
    for (int i = 0; i < 100; ++i) s += "<a>";
    EXPECT_NE(error_of(s).find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace hoist::aws
