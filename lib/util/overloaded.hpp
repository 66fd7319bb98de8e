#pragma once
/// A visitor made of lambdas, one per alternative: std::visit(overloaded{[](const A&) {...}, ...}, v).
namespace hoist {

template <class... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace hoist
