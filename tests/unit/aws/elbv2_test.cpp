// ELBv2 request parameters and response readers, on the XML shapes of the API reference.
#include <gtest/gtest.h>

#include "aws/elbv2.hpp"

namespace hoist::aws {
namespace {

TEST(Elbv2, TargetParams) {
    EXPECT_EQ(target_params({{"10.0.1.11", 8080}, {"i-0abc", 0}}),
              (Params{{"Targets.member.1.Id", "10.0.1.11"},
                      {"Targets.member.1.Port", "8080"},
                      {"Targets.member.2.Id", "i-0abc"}}));
}

TEST(Elbv2, ForwardParamsOneGroupOrWeighted) {
    EXPECT_EQ(forward_params({{"arn:blue", 1}}),
              (Params{{"DefaultActions.member.1.Type", "forward"},
                      {"DefaultActions.member.1.TargetGroupArn", "arn:blue"}}));
    EXPECT_EQ(
        forward_params({{"arn:green", 10}, {"arn:blue", 90}}),
        (Params{{"DefaultActions.member.1.Type", "forward"},
                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "arn:green"},
                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "10"},
                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", "arn:blue"},
                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "90"}}));
}

TEST(Elbv2, ReadTargetHealth) {
    auto doc = parse_xml(
        R"(<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member>
        <HealthCheckPort>8080</HealthCheckPort>
        <TargetHealth><State>healthy</State></TargetHealth>
        <Target><Port>8080</Port><Id>i-0f76fade</Id></Target>
      </member>
      <member>
        <HealthCheckPort>8080</HealthCheckPort>
        <TargetHealth>
          <State>unhealthy</State>
          <Reason>Target.ResponseCodeMismatch</Reason>
          <Description>Health checks failed with these codes: [404]</Description>
        </TargetHealth>
        <Target><Port>8080</Port><Id>10.0.1.12</Id></Target>
      </member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata><RequestId>c534f810-f389-11e5-9192-3fff33344cfa</RequestId></ResponseMetadata>
</DescribeTargetHealthResponse>)");
    auto h = read_target_health(doc);
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].target, (Target{"i-0f76fade", 8080}));
    EXPECT_EQ(h[0].state, "healthy");
    EXPECT_EQ(h[0].reason, "");
    EXPECT_EQ(h[1].state, "unhealthy");
    EXPECT_EQ(h[1].reason, "Target.ResponseCodeMismatch");
    EXPECT_EQ(h[1].description, "Health checks failed with these codes: [404]");
}

TEST(Elbv2, ReadAttributesAndGroups) {
    auto attrs = read_attributes(
        parse_xml(R"(<DescribeTargetGroupAttributesResponse><DescribeTargetGroupAttributesResult>
  <Attributes>
    <member><Value>false</Value><Key>stickiness.enabled</Key></member>
    <member><Value>30</Value><Key>deregistration_delay.timeout_seconds</Key></member>
  </Attributes></DescribeTargetGroupAttributesResult></DescribeTargetGroupAttributesResponse>)"));
    EXPECT_EQ(attrs.at("deregistration_delay.timeout_seconds"), "30");
    auto groups = read_target_groups(parse_xml(R"(<DescribeTargetGroupsResponse><DescribeTargetGroupsResult>
  <TargetGroups><member>
    <TargetGroupArn>arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067</TargetGroupArn>
    <TargetGroupName>my-targets</TargetGroupName><Protocol>HTTP</Protocol><Port>80</Port><TargetType>ip</TargetType>
    <LoadBalancerArns><member>arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-lb/50dc6c495c0c9188</member></LoadBalancerArns>
  </member></TargetGroups></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>)"));
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].name, "my-targets");
    EXPECT_EQ(groups[0].target_type, "ip");
    EXPECT_EQ(groups[0].port, 80);
    EXPECT_EQ(
        groups[0].load_balancer_arns,
        std::vector<std::string>{
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-lb/50dc6c495c0c9188"});
}

TEST(Elbv2, ReadListenersPlainAndWeighted) {
    auto ls = read_listeners(parse_xml(R"(<DescribeListenersResponse><DescribeListenersResult><Listeners>
  <member>
    <LoadBalancerArn>arn:lb</LoadBalancerArn><Protocol>HTTP</Protocol><Port>80</Port><ListenerArn>arn:l1</ListenerArn>
    <DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:blue</TargetGroupArn></member></DefaultActions>
  </member>
  <member>
    <LoadBalancerArn>arn:lb</LoadBalancerArn><Protocol>HTTPS</Protocol><Port>443</Port><ListenerArn>arn:l2</ListenerArn>
    <DefaultActions><member><Type>forward</Type>
      <ForwardConfig><TargetGroups>
        <member><TargetGroupArn>arn:blue</TargetGroupArn><Weight>90</Weight></member>
        <member><TargetGroupArn>arn:green</TargetGroupArn><Weight>10</Weight></member>
      </TargetGroups><TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig></ForwardConfig>
    </member></DefaultActions>
  </member>
  <member>
    <LoadBalancerArn>arn:lb</LoadBalancerArn><Protocol>HTTP</Protocol><Port>8080</Port><ListenerArn>arn:l3</ListenerArn>
    <DefaultActions><member><Type>redirect</Type></member></DefaultActions>
  </member>
</Listeners></DescribeListenersResult></DescribeListenersResponse>)"));
    ASSERT_EQ(ls.size(), 3u);
    EXPECT_EQ(ls[0].forward, (std::vector<WeightedGroup>{{"arn:blue", 1}}));
    EXPECT_EQ(ls[0].load_balancer_arn, "arn:lb");
    EXPECT_EQ(ls[1].forward, (std::vector<WeightedGroup>{{"arn:blue", 90}, {"arn:green", 10}}));
    EXPECT_EQ(ls[1].port, 443);
    EXPECT_EQ(ls[2].action_types, std::vector<std::string>{"redirect"});
    EXPECT_TRUE(ls[2].forward.empty());
}

}  // namespace
}  // namespace hoist::aws
